package wip

// Draft is work in progress; hidden directories are ignored by the go tool.
func Draft() string { return "draft 2" }
