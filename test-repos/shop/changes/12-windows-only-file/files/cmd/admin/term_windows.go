package main

func terminalName() string {
	return "Windows Terminal"
}
