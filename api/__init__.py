"""HTTP adapters only: the FastAPI app factory, dependencies, schemas, error mapping, routes."""
