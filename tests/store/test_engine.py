"""Where the database lives: argument, then REGWARDEN_DB, then the user's data dir; clear errors otherwise."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError, UnreachableError
from regwarden.store import open_store
from regwarden.store.engine import create_store_engine, resolve_url


def test_argument_wins_over_environment(tmp_path: Path) -> None:
    url = resolve_url(f"sqlite:///{tmp_path}/a.db", {"REGWARDEN_DB": f"sqlite:///{tmp_path}/b.db"})
    assert url.database == f"{tmp_path}/a.db"


def test_environment_used_without_argument(tmp_path: Path) -> None:
    assert resolve_url(None, {"REGWARDEN_DB": f"sqlite:///{tmp_path}/b.db"}).database == f"{tmp_path}/b.db"


def test_default_is_sqlite_in_xdg_data_home(tmp_path: Path) -> None:
    url = resolve_url(None, {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home")})
    assert (url.drivername, url.database) == ("sqlite+pysqlite", f"{tmp_path}/data/regwarden/regwarden.db")


def test_default_falls_back_to_home_local_share(tmp_path: Path) -> None:
    url = resolve_url(None, {"HOME": str(tmp_path)})
    assert url.database == f"{tmp_path}/.local/share/regwarden/regwarden.db"


def test_bare_path_is_a_sqlite_file(tmp_path: Path) -> None:
    url = resolve_url(str(tmp_path / "v.db"), {})
    assert (url.drivername, url.database) == ("sqlite+pysqlite", str(tmp_path / "v.db"))


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_urls_use_psycopg(scheme: str) -> None:
    url = resolve_url(f"{scheme}://u:secret@db.example:5432/vulns", {})
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "db.example", "vulns")


def test_unsupported_backend_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="unsupported database 'mysql'"):
        resolve_url("mysql://u@h/db", {})


def test_malformed_url_does_not_echo_the_password() -> None:
    with pytest.raises(BadInputError) as caught:
        resolve_url("postgresql://user:hunter2@host:notaport/db", {})
    assert "hunter2" not in str(caught.value)


def test_default_file_and_its_directory_are_created(tmp_path: Path) -> None:
    with open_store(None, {"XDG_DATA_HOME": str(tmp_path)}) as store:
        assert store.advisories.is_empty()
    assert (tmp_path / "regwarden" / "regwarden.db").is_file()


def test_postgresql_nobody_listens_on_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = resolve_url(f"postgresql://u:hunter2@127.0.0.1:{port}/db", {})
    with pytest.raises(UnreachableError, match="cannot open database") as caught:
        create_store_engine(url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("below", ["blocker/regwarden.db", "blocker/sub/regwarden.db"])
def test_sqlite_file_below_a_file_is_unreachable(tmp_path: Path, below: str) -> None:
    (tmp_path / "blocker").write_text("not a directory", encoding="utf-8")
    url = resolve_url(str(tmp_path / below), {})
    with pytest.raises(UnreachableError, match=r"cannot open database .*: cannot create directory .*blocker"):
        create_store_engine(url)
