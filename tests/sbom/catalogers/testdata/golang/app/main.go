package main

import (
	"fmt"

	"example.com/greet"
)

// version is stamped at release time: go build -ldflags "-X main.version=1.4.2".
var version = "dev"

func main() { fmt.Println(greet.Hello(), version) }
