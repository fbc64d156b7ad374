"""The `academy` command: a thin layer over the services, like the HTTP API."""
