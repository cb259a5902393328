package main

import (
	"fmt"

	"example.com/old"
)

func main() { fmt.Println(old.Name()) }
