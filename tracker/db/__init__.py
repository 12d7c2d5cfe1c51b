"""The store: schema, engine, upserts, full-text search and read queries."""
