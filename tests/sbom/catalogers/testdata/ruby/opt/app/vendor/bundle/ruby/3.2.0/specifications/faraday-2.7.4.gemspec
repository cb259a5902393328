# -*- encoding: utf-8 -*-
# frozen_string_literal: true

Gem::Specification.new do |spec|
  spec.name    = 'faraday'.freeze # the gem's name on rubygems.org
  spec.version = '2.7.4'.freeze # kept in sync with Faraday::VERSION

  spec.summary     = 'HTTP/REST API client library.'
  spec.authors     = ['@technoweenie', '@iMacTia', '@olleolleolle']
  spec.email       = 'technoweenie@gmail.com'
  spec.homepage    = 'https://lostisland.github.io/faraday'
  spec.licenses    = ['MIT'.freeze] # see LICENSE.md, not the "#" in this string
  spec.required_ruby_version = '>= 2.6'

  spec.add_dependency 'faraday-net_http', '>= 2.0', '< 3.1'
  spec.add_dependency 'ruby2_keywords', '>= 0.0.4'
end
