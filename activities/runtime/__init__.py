"""Running the system: settings, logging, the Temporal client, the local dev stack."""
