"""The object store contract, run on the folder store and on the S3 adapter against a loopback S3."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import Settings
from core.storage import StorageProvider
from core.storage.base import ObjectMissing
from core.storage.factory import make_storage_provider
from core.storage.folder import FolderStorageProvider
from core.storage.s3 import S3StorageProvider
from tests.core.storage.s3_server import CREDENTIALS, s3_client, s3_endpoint

__all__ = ["s3_endpoint"]  # the fixture, used by name below
BUCKETS = itertools.count()


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StorageProvider:
    if request.param == "folder":
        return FolderStorageProvider(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"academy-test-{next(BUCKETS)}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=bucket)
    return S3StorageProvider(bucket, prefix="deploy-1", client=client)


def test_put_then_get_returns_the_bytes_with_their_size_and_hash(store: StorageProvider) -> None:
    data = b"%PDF-1.7 a cheat sheet"
    stored = store.put("stores/s1/artifacts/a1.pdf", data, "application/pdf")
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert store.get("stores/s1/artifacts/a1.pdf") == data
    assert store.exists("stores/s1/artifacts/a1.pdf")


def test_put_replaces_an_object_whole(store: StorageProvider) -> None:
    store.put("k/one.json", b'{"v": 1}', "application/json")
    store.put("k/one.json", b'{"v": 2, "longer": true}', "application/json")
    assert store.get("k/one.json") == b'{"v": 2, "longer": true}'


def test_missing_object_is_reported_not_raised_raw(store: StorageProvider) -> None:
    with pytest.raises(ObjectMissing, match=r"k/none\.pdf"):
        store.get("k/none.pdf")
    assert not store.exists("k/none.pdf")


def test_delete_removes_and_tolerates_a_missing_object(store: StorageProvider) -> None:
    store.put("k/gone.md", b"# gone", "text/markdown")
    store.delete("k/gone.md")
    store.delete("k/gone.md")
    assert not store.exists("k/gone.md")


@pytest.mark.parametrize("key", ["../escape.pdf", "/abs.pdf", "a//b.pdf", "a/../../b.pdf", "a/./b.pdf", "", "a b.pdf"])
def test_keys_that_could_leave_the_root_are_refused(store: StorageProvider, key: str) -> None:
    with pytest.raises(ValueError, match="not an object key"):
        store.put(key, b"x", "text/markdown")


def test_folder_store_leaves_no_partial_file(tmp_path: Path) -> None:
    store = FolderStorageProvider(tmp_path / "objects")
    store.put("a/b.pdf", b"whole", "application/pdf")
    assert [p.name for p in (tmp_path / "objects" / "a").iterdir()] == ["b.pdf"]


def test_s3_store_writes_under_its_prefix_with_type_and_hash(s3_endpoint: str) -> None:
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket="academy-prefix")
    S3StorageProvider("academy-prefix", prefix="/tenant-x/", client=client).put("a/b.pdf", b"pdf", "application/pdf")
    head = client.head_object(Bucket="academy-prefix", Key="tenant-x/a/b.pdf")
    assert head["ContentType"] == "application/pdf"
    assert head["Metadata"]["sha256"] == hashlib.sha256(b"pdf").hexdigest()


def test_settings_pick_the_folder_by_default_and_s3_when_named(tmp_path: Path, s3_endpoint: str) -> None:
    folder = make_storage_provider(Settings(data_dir=tmp_path, demo=False))
    assert isinstance(folder, FolderStorageProvider) and folder.root == (tmp_path / "objects").resolve()
    s3_client(s3_endpoint).create_bucket(Bucket="academy-settings")
    s3 = make_storage_provider(
        Settings(
            data_dir=tmp_path,
            demo=False,
            object_store="s3",
            s3_bucket="academy-settings",
            s3_endpoint_url=s3_endpoint,
            s3_region=CREDENTIALS["region_name"],
            s3_access_key_id=CREDENTIALS["aws_access_key_id"],
            s3_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        )
    )
    s3.put("x.md", b"# x", "text/markdown")
    assert s3.get("x.md") == b"# x"


def test_s3_without_a_bucket_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ACADEMY_S3_BUCKET"):
        make_storage_provider(Settings(data_dir=tmp_path, demo=False, object_store="s3"))
