package main

import "os"

func terminalName() string {
	if t := os.Getenv("TERM"); t != "" {
		return t
	}
	return "linux-console"
}
