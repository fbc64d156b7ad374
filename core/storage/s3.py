"""Objects in an S3-compatible bucket (AWS S3, MinIO, R2, Ceph) through boto3. S3 `PutObject` is
atomic per object, which is all the Protocol asks; the sha256 travels as object metadata so a
download can be checked against the row that names it."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from core.storage.base import ObjectMissing, StoredObject, check_key, describe

MISSING = {"404", "NoSuchKey", "NotFound"}


class S3StorageProvider:
    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **client_options: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client(
            "s3", config=Config(retries={"max_attempts": 3, "mode": "standard"}), **client_options
        )

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        stored = describe(key, data, content_type)
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
            Metadata={"sha256": stored.sha256},
        )
        return stored

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                raise ObjectMissing(f"stored file {key} is missing") from None
            raise
        body: bytes = response["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
