"""Where files the platform makes (artifacts: PDFs, outlines, later audio and video) are kept: one
`StorageProvider` Protocol, a folder in the data directory by default (`folder.py`), any S3-compatible
service in production (`s3.py`, on boto3), picked by settings (`factory.py`)."""

from core.storage.base import StorageProvider, StoredObject, check_key

__all__ = ["StorageProvider", "StoredObject", "check_key"]
