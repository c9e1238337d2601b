module gopipe.io/gocache-relay

go 1.24
