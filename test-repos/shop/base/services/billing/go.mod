module example.com/shop/services/billing

go 1.22

require (
	example.com/shop/libs/geo v0.1.0
	github.com/acme/ledger v1.4.0
)

replace (
	example.com/shop/libs/geo => ../../libs/geo
	github.com/acme/ledger => ../../third_party/ledger
)
