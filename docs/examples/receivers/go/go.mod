module example.com/webhookd-receiver

go 1.26.0

require github.com/webhookd/webhookd/clients/go v0.0.0

// The SDK from this repository; outside it, drop this line and `go get` the module.
replace github.com/webhookd/webhookd/clients/go => ../../../../clients/go
