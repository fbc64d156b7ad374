"""Where files the platform makes (artifacts: PDFs, outlines, later audio and video) are kept: one
`ObjectStore` Protocol, a folder in the data directory by default (`folder.py`), any S3-compatible
service in production (`s3.py`, on boto3), picked by settings (`factory.py`)."""

from core.storage.protocol import ObjectStore, StoredObject, check_key

__all__ = ["ObjectStore", "StoredObject", "check_key"]
