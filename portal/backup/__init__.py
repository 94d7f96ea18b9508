"""Backup and restore of a whole instance: the database (SQLite by its online backup API, PostgreSQL by
pg_dump) and the attachment store, with a manifest to check a restore against."""
