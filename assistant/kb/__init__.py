"""The curated knowledge base: schema, validation, loading into the database, search."""
