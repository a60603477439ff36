"""Per-feature routers: each route declares its path, its dependencies and calls one service."""
