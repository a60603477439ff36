"""Services: stateless functions under the routes that compose store queries and Temporal calls.

Each takes what it needs as arguments (the sessionmaker, the Temporal client, the settings, the
principal acting) and raises domain or API errors that ``api/errors.py`` turns into HTTP.
"""
