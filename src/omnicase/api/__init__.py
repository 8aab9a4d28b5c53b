"""HTTP API: thin FastAPI routers that validate, call a service and shape the output."""
