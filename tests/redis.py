"""Throwaway Redis servers for tests, like `tests.postgres`: Debian's `redis-server` on a free
loopback port, in a folder of its own, stopped and removed afterwards.

Nothing is written to disk (no snapshots, no append-only file), so a test leaves nothing behind
and a server never refuses writes because a snapshot failed. Bound to 127.0.0.1, so protected
mode (which refuses clients from other addresses when there is no password) never gets in the way.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.postgres import _free_port


def binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("Redis is not installed: run `bash scripts/install test`, which installs "
                           "Debian's redis-server package")
    return found


@contextmanager
def server() -> Iterator[str]:
    """A started server's URL ("redis://127.0.0.1:PORT"), for as long as the block runs."""
    folder = Path(tempfile.mkdtemp(prefix="portal-redis-"))
    port = _free_port()
    process = subprocess.Popen(
        [binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--logfile", str(folder / "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(url: str, process: subprocess.Popen) -> None:
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise RuntimeError(f"redis-server stopped at start (exit status {process.returncode})")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 5 seconds")
    finally:
        client.close()
