module example.com/gocachemod

go 1.24
