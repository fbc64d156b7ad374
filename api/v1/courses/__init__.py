"""Courses, learning, artifacts, insights and search (`courses`, `ingestion`, `rag`)."""
