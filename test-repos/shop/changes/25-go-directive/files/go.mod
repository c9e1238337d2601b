module example.com/shop

go 1.23

require example.com/shop/libs/geo v0.1.0

replace example.com/shop/libs/geo => ./libs/geo
