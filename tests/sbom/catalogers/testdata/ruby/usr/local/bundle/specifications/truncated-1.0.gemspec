# -*- encoding: utf-8 -*-
# stub: rack 2.2.22 ruby lib

