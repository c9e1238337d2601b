module example.com/shop/services/inventory

go 1.23

require (
	example.com/shop v0.0.0-00010101000000-000000000000
	example.com/shop/libs/geo v0.1.0
)

replace (
	example.com/shop => ../..
	example.com/shop/libs/geo => ../../libs/geo
)
