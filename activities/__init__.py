"""Every side effect: the projection and audit store, settings, logging, the database."""
