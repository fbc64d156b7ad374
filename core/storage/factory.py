"""The object store the settings name: the data directory's `objects/` folder unless an S3 bucket
is configured."""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings
from core.storage.base import StorageProvider
from core.storage.folder import FolderStorageProvider


def make_storage_provider(settings: Settings) -> StorageProvider:
    if settings.object_store == "folder":
        return FolderStorageProvider(settings.data_dir / "objects")
    if not settings.s3_bucket:
        raise ConfigurationError("ACADEMY_OBJECT_STORE=s3 needs ACADEMY_S3_BUCKET")
    from core.storage.s3 import S3StorageProvider

    options: dict[str, str] = {}
    if settings.s3_endpoint_url:
        options["endpoint_url"] = settings.s3_endpoint_url
    if settings.s3_region:
        options["region_name"] = settings.s3_region
    if settings.s3_access_key_id and settings.s3_secret_access_key:
        options["aws_access_key_id"] = settings.s3_access_key_id
        options["aws_secret_access_key"] = settings.s3_secret_access_key.get_secret_value()
    return S3StorageProvider(settings.s3_bucket, settings.s3_prefix, **options)
