"""A panel member's invitation link never lands in a server's log (issue 19, finding 10), nor
does the comment reference in a "Comment sent" page's address.

The link's token lets whoever holds it comment in the member's name, and logs are kept longer
and read by more people than the database. The token travels in the query string, which
`policy-portal serve` leaves out of its log and the gunicorn access-log format in
docs/staff/operations.md leaves out too. Both are run here as the guide says to run them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.cli import main
from tests.conftest import ROOT, TODAY
from tests.postgres import _free_port

REFERENCE = "C-2222-2222"
"""A comment reference, as the "Comment sent" page's address carries one."""
ACCESS_LOG_FLAGS = re.compile(r"--access-logfile \S+ --access-logformat '[^']+'")


def invitation_link(project: Path, capsys, base_url: str) -> str:
    arguments = ["invite", "pets", "--name", "Jo Bloggs", "--base-url", base_url]
    assert main(["--project", str(project), *arguments]) == 0
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("http"))


def log_of_opening(link: str, command: list[str], environment: dict[str, str], *also: str) -> str:
    """Start the server, open the link as a panel member would, and then the addresses `also`,
    stop it and return its log."""
    server = subprocess.Popen(command, env={**os.environ, "PORTAL_TODAY": TODAY, **environment},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(1200):  # `serve` builds the whole site first
            assert server.poll() is None, "the server stopped"
            try:
                page = urllib.request.urlopen(link, timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Start commenting as Jo Bloggs" in page
        for address in also:
            urllib.request.urlopen(address, timeout=5).read()
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    return log


@pytest.mark.usefixtures("warm_cache")
def test_policy_portal_serve_logs_no_invitation_token(project, capsys, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "log test key")
    port = _free_port()
    link = invitation_link(project, capsys, f"http://127.0.0.1:{port}")
    log = log_of_opening(link, [sys.executable, "-m", "portal.cli", "--project", str(project), "serve",
                                "--port", str(port)], {})
    assert "GET /consultations/panel/ HTTP/1.1" in log
    assert link.split("invitation=")[1] not in log


def test_gunicorn_with_the_guides_access_log_format_logs_no_token(project, capsys, monkeypatch):
    guide = (ROOT / "docs" / "staff" / "operations.md").read_text(encoding="utf-8")
    flags = shlex.split(ACCESS_LOG_FLAGS.search(guide).group())
    monkeypatch.setenv("SECRET_KEY", "log test key")
    port = _free_port()
    link = invitation_link(project, capsys, f"http://127.0.0.1:{port}")
    receipt = f"http://127.0.0.1:{port}/consultations/pets/thank-you?reference={REFERENCE}"
    log = log_of_opening(link, [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                "--no-control-socket", *flags, "portal.wsgi:application"],
                         {"PORTAL_PROJECT": str(project)}, receipt)
    assert '"GET /consultations/panel/" 200' in log
    assert '"GET /consultations/pets/thank-you" 302' in log
    assert link.split("invitation=")[1] not in log and REFERENCE not in log
