"""Embeddings, sparse encoding, the Qdrant index, hybrid retrieval, access filters, citations."""
