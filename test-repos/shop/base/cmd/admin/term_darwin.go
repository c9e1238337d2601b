package main

import "os"

func terminalName() string {
	if t := os.Getenv("TERM_PROGRAM"); t != "" {
		return t
	}
	return "macos-terminal"
}
