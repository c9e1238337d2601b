package main

func terminalName() string {
	return "windows-console"
}
