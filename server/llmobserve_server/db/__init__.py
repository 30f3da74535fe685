"""Database: models, column types, engine and migrations."""
