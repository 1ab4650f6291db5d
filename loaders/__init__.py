"""Everything that brings data in: reading, the schema and its validation, ingest and extraction."""
