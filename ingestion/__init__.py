"""Loaders, chunking, the incremental pipeline and ingestion jobs."""
