"""The audit chain (审计链): each recorded event sealed by the hash of its predecessor."""
