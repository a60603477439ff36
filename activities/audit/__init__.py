"""Audit (审计): event-chain verification, the Temporal history archive and replay."""
