"""FastAPI app, routers, auth dependencies and problem responses."""
