"""Hosting the site and the consultation app together and apart (docs/staff/publishing.md).

Apart, the static site links to wherever the app runs (`extra.consultation_url`): a build with
another address links there from every page, large-print page, PDF and feed, and nowhere else;
and the app links back to the site's published address (`site_url`) instead of its own host.

Then the guide's own commands and configuration, run as it gives them, with its example paths,
host name and ports swapped for the test's: the server's daily rebuild, copying the site with
rsync, and its nginx site (site from site/, the app proxied under /consultations/) on a real
nginx, with the content security policy refreshed by scripts/nginx-csp after a rebuild.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader
from werkzeug.serving import make_server

from consultation import create_app
from consultation.security import CONTENT_SECURITY_POLICY
from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.problems import PolicyError
from policy_portal.site import csp
from portal.cli import main
from portal.server import SITE_HEADERS, create_portal
from tests import nginx
from tests.conftest import APP_SETTINGS, ROOT, copy_project, migrated
from tests.consultation_pages import PETS, soup
from tests.postgres import _free_port
from tests.test_versions import git

GUIDE = ROOT / "docs" / "staff" / "publishing.md"
HOST = "policies.larkfield.example"
APP = "https://portal.larkfield.example/consultations/"


def set_consultation_url(project: Path, value: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = f"  consultation_url: {CONSULTATION_PATH}\n"
    assert line in text
    config.write_text(text.replace(line, f"  consultation_url: {value}\n"), encoding="utf-8")


def links(site: Path, page: Path) -> list[str]:
    """Every link on the page, made absolute as a browser would from the page's own address."""
    here = "/" + page.relative_to(site).as_posix()
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [urljoin(here, link["href"]) for link in soup.find_all("a", href=True)]


def pdf_links(path: Path) -> list[str]:
    return [annotation.get_object()["/A"]["/URI"] for page in PdfReader(path).pages
            for annotation in page.get("/Annots", []) if "/URI" in annotation.get_object().get("/A", {})]


def test_the_site_links_to_the_consultation_app_wherever_the_setting_says(project: Path):
    set_consultation_url(project, APP)
    assert main(["--project", str(project), "build"]) == 0
    site = project / "site"
    pets = site / "policies" / "pets"
    assert f"{APP}pets/" in links(site, pets / "index.html")
    assert f"{APP}pets/" in links(site, pets / "large-print" / "index.html")
    assert f"{APP}pets/" in pdf_links(pets / "pets.pdf")
    assert f"{APP}pets/" in pdf_links(pets / "pets-large-print.pdf")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site / "feeds" / "consultations.xml").getroot()
    assert [entry.find(f"{atom}link").get("href") for entry in feed.iter(f"{atom}entry")] == [f"{APP}pets/"]
    to_the_old_place = [f"{page}: {link}" for page in site.rglob("*.html") for link in links(site, page)
                        if link.startswith(CONSULTATION_PATH)]
    assert to_the_old_place == []


def test_an_address_that_is_not_one_stops_the_build(project: Path, capsys):
    set_consultation_url(project, "consultations")
    assert main(["--project", str(project), "build"]) == 1
    lines = (project / "mkdocs.yml").read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1)
                if text.strip().startswith("consultation_url:"))
    assert (f"mkdocs.yml:{line}: extra.consultation_url: 'consultations' is not the consultation app's "
            "address; write a path such as /consultations/, or a full address such as "
            "https://portal.example.org/consultations/, ending in /") in capsys.readouterr().err
    assert not (project / "site").exists()


@pytest.mark.parametrize(("consultation_url", "site"), [
    (CONSULTATION_PATH, "/"),
    (APP, "https://policies.larkfield-housing.example/"),  # site_url in mkdocs.yml
])
def test_the_app_links_back_to_the_site_where_it_is(project: Path, tmp_path: Path, consultation_url: str,
                                                     site: str):
    set_consultation_url(project, consultation_url)
    app = create_app(project, {**APP_SETTINGS,
                                "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'c.sqlite'}")})
    page = soup(app.test_client().get(PETS))
    assert page.find("a", class_="site-name")["href"] == site
    assert page.find("a", string="Read the draft on the policy website")["href"] == f"{site}policies/pets/"
    app.extensions["engine"].dispose()


def test_an_app_apart_from_the_site_needs_the_sites_address(project: Path):
    set_consultation_url(project, APP)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_url: https://", "site_url: /"),
                      encoding="utf-8")
    with pytest.raises(PolicyError, match=r"mkdocs\.yml:4: site_url: the consultation app runs apart"):
        create_app(project)


# The publishing guide's commands and nginx site, run as it says


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Message
    body: str


UNCHECKED = ssl.create_default_context()
UNCHECKED.check_hostname, UNCHECKED.verify_mode = False, ssl.CERT_NONE  # the test's own certificate


def fetch(port: int, path: str, *, host: str = HOST, scheme: str = "https") -> Fetched:
    """GET `path` from loopback as a browser asking for `host` would."""
    connection = (http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=UNCHECKED)
                  if scheme == "https" else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    fetched = Fetched(response.status, response.headers, response.read().decode("utf-8", "replace"))
    connection.close()
    return fetched


def eventually(port: int, path: str, header: str, value: str) -> Fetched:
    """After a reload, nginx's old workers answer until they have finished: wait for a new one."""
    for _ in range(100):
        fetched = fetch(port, path)
        if fetched.headers[header] == value:
            return fetched
        time.sleep(0.1)
    raise AssertionError(f"{path}: {header} is still {fetched.headers[header]!r}")


def guide_command(start: str) -> str:
    """The guide's command line that starts with `start`."""
    [line] = {line for block in guide_blocks("") for line in block.splitlines() if line.startswith(start)}
    return line


def guide_blocks(language: str) -> list[str]:
    """The guide's code blocks marked as `language` ("" for those marked as nothing)."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    return [text for marked, text in blocks if marked == language]


def guide_crontab(time: str) -> str:
    """The command of the guide's crontab line that runs at `time` ("30 4 * * *")."""
    [line] = [line for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.startswith(time)]
    return line.removeprefix(time).strip()


def replaced(text: str, replacements: dict[str, str]) -> str:
    """`text` with each of the guide's example paths and ports replaced by the test's, all there."""
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "-c", "user.name=Tests", "-c", "user.email=tests@larkfield.example", "commit", "-q",
        "-m", message)


def test_the_servers_daily_rebuild_takes_the_latest_policies(tmp_path: Path):
    upstream = copy_project(tmp_path / "upstream")
    git(upstream, "init", "-q", "-b", "main")
    commit_all(upstream, "Policies")
    server = tmp_path / "srv" / "policy-portal"
    subprocess.run(["git", "clone", "-q", str(upstream), str(server)], check=True)
    (server / ".venv").symlink_to(Path(sys.prefix))
    pets = upstream / "policies" / "pets.md"
    pets.write_text(pets.read_text(encoding="utf-8") + "\nMerged this morning.\n", encoding="utf-8")
    commit_all(upstream, "A change to the draft")
    command = guide_crontab("30 4 * * *").replace("/srv/policy-portal", str(server))
    subprocess.run(["bash", "-e", "-c", command], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert "Merged this morning." in (server / "site" / "policies" / "pets" / "index.html").read_text("utf-8")


def test_copying_the_site_instead_replaces_the_old_site_whole(tmp_path: Path, site: Path):
    """The guide's step for copying to another server, run with a folder on this computer as the
    target (rsync copies over SSH the same way)."""
    [step] = [step for block in guide_blocks("yaml") for step in yaml.safe_load(block) or []
              if isinstance(step, dict) and "rsync" in step.get("run", "")]
    target = tmp_path / "www"
    target.mkdir()
    (target / "withdrawn-long-ago.html").write_text("old", encoding="utf-8")
    (tmp_path / "home").mkdir()
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "SSH_KEY": "a key",
                   "KNOWN_HOSTS": "web.larkfield.example ssh-ed25519 AAAA", "TARGET": f"{target}/"}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=site.parent, env=environment, check=True)
    copied = sorted(path.relative_to(target) for path in target.rglob("*"))
    assert copied == sorted(path.relative_to(site) for path in site.rglob("*"))
    assert (tmp_path / "home" / ".ssh" / "id_ed25519").stat().st_mode & 0o777 == 0o600


@pytest.fixture
def app_behind_nginx(project: Path, tmp_path: Path, site: Path, monkeypatch) -> Iterator[int]:
    """The portal on a loopback port, as gunicorn runs it behind nginx: PORTAL_PROXIES=1 and
    PORTAL_HOSTS naming the guide's host."""
    monkeypatch.setenv("PORTAL_HOSTS", HOST)
    database = migrated(f"sqlite:///{tmp_path / 'consultation.sqlite'}")
    portal = create_portal(project, site, {**APP_SETTINGS, "DATABASE_URL": database}, proxies=1)
    server = make_server("127.0.0.1", 0, portal, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    portal.extensions["consultation"].extensions["engine"].dispose()


def test_the_guides_nginx_site_serves_the_site_and_the_app(tmp_path: Path, site: Path, app_behind_nginx: int):
    project = tmp_path / "srv"
    shutil.copytree(site, project / "site")
    shutil.copytree(ROOT / "scripts", project / "scripts")
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    f"/CN={HOST}", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    plain, tls = _free_port(), _free_port()
    snippet, log = tmp_path / "policy-portal-csp.conf", tmp_path / "access.log"
    [config] = guide_blocks("nginx")
    commands = nginx.configure(tmp_path, replaced(config, {
        "listen 80;": f"listen 127.0.0.1:{plain};", "listen [::]:80;": "",
        "listen 443 ssl;": f"listen 127.0.0.1:{tls} ssl;", "listen [::]:443 ssl;": "",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(certificate),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
        "/var/log/nginx/policy-portal.log": str(log), "/srv/policy-portal": str(project),
        "/etc/nginx/snippets/policy-portal-csp.conf": str(snippet),
        "127.0.0.1:8000": f"127.0.0.1:{app_behind_nginx}"}))
    snippet.touch()  # as if nginx were already running without the site's policy
    environment = {**os.environ, "PATH": f"{commands}:{os.environ['PATH']}"}
    tested = subprocess.run(["nginx", "-t"], env=environment, capture_output=True, text=True, check=False)
    assert "test is successful" in tested.stderr, tested.stderr
    with nginx.running(commands, tls):
        def refresh_policy(command: str = guide_command("bash scripts/nginx-csp")) -> str:
            command = replaced(command, {"/etc/nginx/snippets/policy-portal-csp.conf": str(snippet)})
            return subprocess.run(["bash", "-e", "-c", command.replace("/srv/policy-portal", str(project))],
                                  cwd=project, env=environment, capture_output=True, text=True,
                                  check=True).stdout

        assert refresh_policy() == ("The site's content security policy changed: nginx sends the new "
                                    "one now.\n")
        policy = (site / csp.POLICY_FILE).read_text(encoding="utf-8").strip()
        page = eventually(tls, "/policies/complaints/", "Content-Security-Policy", policy)
        assert page.status == 200 and "Complaints Policy" in page.body
        assert {name: page.headers[name] for name in SITE_HEADERS} == SITE_HEADERS
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert refresh_policy() == ""  # unchanged: nginx is left alone

        missing = eventually(tls, "/no-such-page/", "Content-Security-Policy", policy)
        assert missing.status == 404
        assert fetch(tls, "/policies/complaints").headers["Location"] == "/policies/complaints/"
        assert fetch(plain, "/policies/", scheme="http").headers["Location"] == \
            f"https://{HOST}/policies/"

        app = fetch(tls, "/consultations/pets/")
        assert app.status == 200 and "Pets and Animals Policy" in app.body
        assert app.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "Strict-Transport-Security" in app.headers  # the app knew the page came over HTTPS
        assert fetch(tls, "/consultations/pets/", host="rebind.attacker.example").status == 400
        fetch(tls, "/consultations/panel/?invitation=a-secret-key")
        for _ in range(100):  # nginx logs a request just after answering it
            logged = log.read_text(encoding="utf-8")
            if "/consultations/panel/" in logged:
                break
            time.sleep(0.1)
        assert '"GET /consultations/panel/"' in logged and "a-secret-key" not in logged

        new_policy = policy.replace("object-src 'none'", "object-src 'none'; upgrade-insecure-requests")
        (project / "site" / csp.POLICY_FILE).write_text(new_policy + "\n", encoding="utf-8")  # a rebuild
        assert refresh_policy(guide_crontab("45 4 * * *"))  # root's crontab, after the rebuild
        eventually(tls, "/policies/complaints/", "Content-Security-Policy", new_policy)
