module example.com/shop/libs/geo

go 1.22
