"""A throwaway PostgreSQL server for the test session, started from the machine's own binaries.

pytest-postgresql does the same but cannot run as root, and CI runs as root: PostgreSQL refuses
to, so as root the server runs as the `postgres` user (or `nobody`) from a folder it owns.
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


@contextmanager
def server() -> Iterator[str]:
    """Start a server with trust login on loopback; yield its URL; stop and remove it."""
    bin_dir = binaries()
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
    folder = Path(tempfile.mkdtemp(prefix="portal-postgres-"))
    data, port = folder / "data", _free_port()
    if user:
        shutil.chown(folder, user)

    def run(*args: str) -> None:
        subprocess.run(args, user=user, check=True, capture_output=True)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "portal", "--auth=trust", "-E", "UTF8",
        "--no-locale")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off", "start")
    try:
        yield f"postgresql://portal@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       user=user, check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
