"""Clock policies and holiday data: loading, validating and slicing them for a case."""
