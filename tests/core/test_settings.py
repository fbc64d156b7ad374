from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_production_refuses_missing_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ACADEMY_SECRET_KEY must be set"):
        Settings(env="production", data_dir=tmp_path)


def test_production_refuses_dev_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ACADEMY_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path, secret_key="dev-" + "a" * 40)


def test_production_accepts_strong_secret(tmp_path: Path) -> None:
    settings = Settings(env="production", data_dir=tmp_path, secret_key="s" * 48)
    assert settings.secret() == "s" * 48


def test_dev_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).secret()
    second = Settings(data_dir=tmp_path).secret()
    assert first == second
    assert len(first) > 40
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).resolved_database_url
    assert url == f"sqlite:///{tmp_path.resolve() / 'academy.db'}"


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACADEMY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ACADEMY_PORT", "9123")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.port == 9123


def test_the_public_address_follows_host_and_port_when_unset(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=18802)
    assert settings.public_base_url == "http://127.0.0.1:18802"
    assert settings.serving("0.0.0.0", 18803).public_base_url == "http://127.0.0.1:18803"  # noqa: S104
    assert settings.serving("::1", 18804).public_base_url == "http://[::1]:18804"


def test_a_set_public_address_is_kept_whatever_the_port(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, public_base_url="https://academy.example.com")
    served = settings.serving(None, 18802)
    assert served.port == 18802
    assert served.public_base_url == "https://academy.example.com"
