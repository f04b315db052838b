"""Fixtures of the index tests: a real redis-server on a free port, in a temporary directory.

The Redis tests run against the real server, never a mock. Outside CI a machine without
``redis-server`` skips them; in CI (``CI=true``, where `.ci/run` installs it) a missing
server is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:PORT``: a redis-server of this test session (database 0 free)."""
    binary = shutil.which("redis-server")
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if binary is None:
        if in_ci:
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    if not in_ci:
        pytest.importorskip("redis")
    workdir: Path = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
            *("--save", "", "--appendonly", "no", "--databases", "64"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    try:
        import redis

        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_next_db = iter(range(1, 64))


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A fresh database of the session's server for one test."""
    return f"{redis_server}/{next(_next_db)}"
