"""Throwaway PostgreSQL servers for tests, started from the machine's own binaries.

pytest-postgresql does the same but cannot run as root, and CI runs as root: PostgreSQL refuses
to, so as root the server runs as the `postgres` user (or `nobody`) from a folder it owns. A
server can be stopped and started again, to test what the app does while the database is down.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian keeps them off the PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda path: int(path.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `bash scripts/install test`, which "
                           "installs Debian's postgresql package")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Server:
    """One PostgreSQL server with trust login on a free loopback port."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
        self.folder = Path(tempfile.mkdtemp(prefix="portal-postgres-"))
        self.data, self.port = self.folder / "data", _free_port()
        if self.user:
            shutil.chown(self.folder, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "portal", "--auth=trust", "-E", "UTF8",
                  "--no-locale")
        self.url = f"postgresql://portal@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run([str(self.bin / program), *args], user=self.user, check=check, capture_output=True)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` shuts down cleanly; `immediate` is a crash, which with fsync off (for speed)
        may lose recent commits, so it is only for throwing the server away."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def server() -> Iterator[Server]:
    """A started server, stopped and removed afterwards."""
    running = Server()
    running.start()
    try:
        yield running
    finally:
        running.remove()
