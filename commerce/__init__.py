"""Commerce: products and their kinds, prices, coupons, checkout, payment providers, payment events,
fulfilment, refunds, subscriptions, bookings, downloads."""
