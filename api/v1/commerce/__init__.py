"""Products, checkout, payments, subscriptions, bookings and the storefront (`commerce`)."""
