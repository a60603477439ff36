"""Identity: the user directory and API keys, bearer-token checks, the access trail (访问留痕)."""
