"""People (人员): roles and permissions, sign-in rules, and the masking of personal data."""
