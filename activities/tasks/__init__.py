"""The Temporal activity classes the workflows call, by the names in workflows/contract.py."""
