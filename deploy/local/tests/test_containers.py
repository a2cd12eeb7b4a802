"""deploy/local/containers.py without Docker: the env file test.sh reads, and what goes in it."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lsg_containers", HERE.parent / "containers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


containers = load()


class FakeMongo:
    def get_connection_url(self) -> str:
        return "mongodb://test:p@ss w'rd$@localhost:32771"


class FakeSockudo:
    def get_container_host_ip(self) -> str:
        return "localhost"

    def get_exposed_port(self, port: int) -> int:
        assert port == containers.SOCKUDO_PORT
        return 32772


def test_env_file_sources_back_exactly_what_was_written(tmp_path: Path) -> None:
    values = containers.stack_env("localhost:32770", FakeMongo(), FakeSockudo())
    path = tmp_path / "stack.env"
    containers.write_env_file(path, values)

    assert [p.name for p in tmp_path.iterdir()] == ["stack.env"]  # no partial file left
    keys = " ".join(f'"${k}"' for k in values)
    out = subprocess.run(
        ["bash", "-c", f'set -a; . "{path}"; set +a; printf "%s\\0" {keys}'],
        capture_output=True,
        check=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert dict(zip(values, out.split("\0")[:-1], strict=True)) == {
        "KAFKA_BOOTSTRAP_SERVERS": "localhost:32770",
        "MONGODB_URI": "mongodb://test:p@ss w'rd$@localhost:32771",
        "PUSHER_HOST": "localhost",
        "PUSHER_PORT": "32772",
    }


def test_rewriting_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "stack.env"
    containers.write_env_file(path, {"A": "1", "B": "2"})
    containers.write_env_file(path, {"A": "3"})
    assert path.read_text() == "A=3\n"


def test_refuses_to_start_without_pusher_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit) as exit_:
        containers.main(["--env-file", str(tmp_path / "stack.env")])
    assert exit_.value.code == 2
    assert not (tmp_path / "stack.env").exists()


def test_free_port_is_bindable() -> None:
    import socket

    port = containers.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
