module example.com/vendored

go 1.19

require example.com/old v1.0.0

replace example.com/old => example.com/new v1.2.0
