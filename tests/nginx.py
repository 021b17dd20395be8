"""A throwaway nginx for tests, from the machine's own binary (`scripts/install test` installs it).

A site configuration (the publishing guide's) runs inside a small main configuration of the
test's own, which keeps the pid file, logs and temporary files in a test folder, and nginx stays
in the foreground so the test can stop it. Commands the guide gives (`nginx -t`, and the
`nginx -s reload` in scripts/nginx-csp) reach this nginx through an `nginx` on the PATH that
adds the test's configuration to them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = "/usr/sbin/nginx"
TEMPORARY = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def configure(folder: Path, site_config: str) -> Path:
    """Write the main configuration around `site_config`, and an `nginx` command that uses it;
    return the folder that command is in, to put first on the PATH."""
    (folder / "site.conf").write_text(site_config, encoding="utf-8")
    temporary = "\n".join(f"    {name}_temp_path {folder / 'temp' / name};" for name in TEMPORARY)
    # As root, nginx's workers would run as nobody, who cannot read the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\npid {folder / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n{temporary}\n"
        f"    include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8")
    (folder / "temp").mkdir()
    commands = folder / "bin"
    commands.mkdir()
    command = commands / "nginx"
    command.write_text(f'#!/bin/sh\nexec {NGINX} -p {folder} -c {folder / "nginx.conf"} -e stderr "$@"\n',
                       encoding="utf-8")
    command.chmod(0o755)
    return commands


@contextmanager
def running(commands: Path, port: int) -> Iterator[subprocess.Popen]:
    """nginx, from `configure`'s command, until the block ends; ready when `port` answers."""
    server = subprocess.Popen([str(commands / "nginx")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        for _ in range(100):
            assert server.poll() is None, server.communicate()[0]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield server
    finally:
        server.terminate()
        server.communicate(timeout=30)
