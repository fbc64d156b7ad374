"""The FastAPI app: the JSON API by service (`v1/`), the pages (`pages/`), shared dependencies, paging,
problems, limits and the MCP endpoint."""
