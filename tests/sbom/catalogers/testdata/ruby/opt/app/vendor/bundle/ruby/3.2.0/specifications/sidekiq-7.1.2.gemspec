# -*- encoding: utf-8 -*-

Gem::Specification.new do |gem|
  # A helper object assigned before the spec: its name and version are not the gem's.
  helper = Struct.new(:name, :version, :license).new
  helper.name = "sidekiq-helper"
  helper.version = "0.0.1"
  helper.license = "Proprietary"

  gem.name = "sidekiq"
  gem.version = "7.1.2" if gem.respond_to? :version=
  gem.license = "LGPL-3.0" # LICENSE.txt
  gem.summary = "Simple, efficient background processing for Ruby"
end
