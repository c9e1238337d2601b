module example.com/shop/analytics/ingest

go 1.22

require example.com/shop/libs/geo v0.1.0
