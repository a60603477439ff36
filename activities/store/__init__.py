"""The store: engine, tables, migrations, repositories and read queries (SQLAlchemy lives here)."""
