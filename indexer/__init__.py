"""Arabic full-text search: analysis, ingest, index engines, reindex, search."""
