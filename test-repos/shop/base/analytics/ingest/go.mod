module example.com/shop/analytics/ingest

go 1.22
