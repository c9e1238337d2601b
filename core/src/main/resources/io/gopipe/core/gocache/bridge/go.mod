module gopipe.io/gocache-bridge

go 1.24
