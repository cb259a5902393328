"""A fixture package: nothing to import but its version."""

VERSION = "0.9.2"
