module example.com/shop/analytics/shared

go 1.22
