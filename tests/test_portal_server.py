"""The portal as one app: site and consultation on one port, behind a reverse proxy or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consultation import mail
from consultation.security import CONTENT_SECURITY_POLICY
from consultation.sending import MailSettingsError
from policy_portal.site import csp
from portal.server import create_portal, create_site_app
from tests.conftest import APP_SETTINGS, app_project
from tests.consultation_pages import GOOD, SECTION, form_for, soup

PETS = "/consultations/pets/"


@pytest.fixture
def portal(project: Path, database_url: str, libraries):
    """Make the portal with a given number of proxies in front; its database closed afterwards."""
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
    settings = {**APP_SETTINGS, "DATABASE_URL": database_url, "COMMENT_RATE_LIMIT": "1 per hour"}
    made = []

    def make(proxies: int):
        made.append(create_portal(app_project(project, libraries), site, settings, proxies=proxies))
        return made[-1]

    yield make
    for app in made:
        app.extensions["consultation"].extensions["engine"].dispose()


def send(client, address: str, scheme: str = "http") -> int:
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": scheme}
    action, hidden = form_for(soup(client.get(PETS, headers=headers)), SECTION)
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}
    return client.post(action, data=data, headers=headers).status_code


@pytest.mark.parametrize(("url", "says"), [
    ("https://policies.example.org/", "PORTAL_URL must end with /consultations/, where the portal serves"),
    ("https://policies.example.org/consultation/", "PORTAL_URL must end with /consultations/"),
    ("policies.example.org/consultations/", "PORTAL_URL must be the consultation app's full public address"),
])
def test_a_portal_url_that_email_links_cannot_use_stops_the_portal_starting(project, libraries, url, says):
    """Found in issue 21's review: email links are built from PORTAL_URL alone, and one missing
    the app's path, or with a typo in it, made every link in every email lead to a 404."""
    with pytest.raises(MailSettingsError) as refused:
        create_portal(app_project(project, libraries), project / "site", {**APP_SETTINGS, "PORTAL_URL": url})
    assert says in str(refused.value) and f"it is '{url}'" in str(refused.value)
    assert "such as https://policies.example.org/consultations/" in str(refused.value)


def test_a_portal_url_with_spaces_around_it_gives_email_links_without_them(project, libraries):
    """Found attacking issue 21: the check read PORTAL_URL without the spaces an env file can
    leave after it, and the links did not, so every link in every email had them in its path."""
    portal = create_portal(app_project(project, libraries), project / "site",
                           {**APP_SETTINGS, "PORTAL_URL": " https://policies.example.org/consultations/  "})
    with portal.extensions["consultation"].test_request_context():
        assert mail.link("consultation.consultation", slug="pets") == "https://policies.example.org/consultations/pets/"


def test_behind_a_proxy_each_visitor_has_their_own_limit_and_https_is_known(portal):
    app = portal(proxies=1)
    assert [send(app.test_client(), address) for address in ("203.0.113.1", "203.0.113.2")] == [303, 303]
    assert send(app.test_client(), "203.0.113.1") == 429
    response = app.test_client().get(PETS, headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_without_proxies_forwarded_headers_are_not_believed(portal):
    app = portal(proxies=0)
    assert send(app.test_client(), "203.0.113.1") == 303
    assert send(app.test_client(), "203.0.113.2") == 429  # a claimed address changes nothing
    assert "Strict-Transport-Security" not in app.test_client().get(
        PETS, headers={"X-Forwarded-Proto": "https"}).headers


@pytest.mark.parametrize(("address", "policy"), [("/", csp.policy([])), (PETS, CONTENT_SECURITY_POLICY)])
def test_site_and_consultation_pages_carry_security_headers(portal, address, policy):
    """Each part keeps its own content security policy (this site has none built: the site's
    strictest, allowing no inline script)."""
    with portal(proxies=0).test_client().get(address) as response:  # closes the site's file
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == policy


# Found in an attack on the app (issue 19, finding 10)


@pytest.mark.parametrize("address", ["/", PETS])
def test_a_host_name_the_portal_does_not_serve_is_refused(portal, address):
    """A hostile page could reach a portal on loopback through a name it controls (DNS rebinding)."""
    client = portal(proxies=0).test_client()
    assert client.get(address, headers={"Host": "rebind.attacker.example"}).status_code == 400
    with client.get(address, headers={"Host": "localhost:8000"}) as response:
        assert response.status_code == 200


def test_portal_hosts_names_the_hosts_behind_a_proxy(portal, monkeypatch):
    monkeypatch.setenv("PORTAL_HOSTS", "policies.larkfield.example, .larkfield.example")
    client = portal(proxies=1).test_client()
    for host, status in (("policies.larkfield.example", 200), ("www.larkfield.example", 200),
                         ("localhost", 400), ("larkfield.example.attacker.example", 400)):
        assert client.get(PETS, headers={"X-Forwarded-Host": host}).status_code == status, host


def test_the_session_cookie_goes_only_to_the_consultation_app(portal):
    client = portal(proxies=0).test_client()
    client.get(PETS)  # the page's forms put a CSRF token in the session
    cookie = client.get_cookie("session", path="/consultations/")
    assert cookie is not None and cookie.path == "/consultations/"
    assert client.get_cookie("session", path="/") is None


def test_every_site_response_carries_the_policy_built_with_the_site(site: Path):
    built = (site / csp.POLICY_FILE).read_text(encoding="utf-8").strip()
    client = create_site_app(site).test_client()
    for address in ("/", "/policies/complaints/", "/ar/policies/complaints/", "/search/",
                    "/pagefind/pagefind-worker.js", "/no-such-page/", "/policies"):
        with client.get(address) as response:
            assert response.headers["Content-Security-Policy"] == built, address


def test_a_rebuilt_sites_policy_is_sent_without_a_restart(tmp_path: Path):
    (tmp_path / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
    client = create_site_app(tmp_path).test_client()
    for hashes in (["'sha256-b25l'"], ["'sha256-b25l'", "'sha256-dHdv'"]):
        new = tmp_path / "new-policy.txt"
        new.write_text(csp.policy(hashes) + "\n", encoding="utf-8")
        os.replace(new, tmp_path / csp.POLICY_FILE)  # as a build swaps in a new site folder
        with client.get("/") as response:
            assert response.headers["Content-Security-Policy"] == csp.policy(hashes)


def test_site_files_are_sent_whole_with_their_type_and_revalidate(tmp_path: Path):
    """Read whole rather than streamed, so a request the browser drops leaves no file open; a
    browser's cached copy is still revalidated (304), as it was when files were streamed."""
    (tmp_path / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
    (tmp_path / "plan.pdf").write_bytes(b"%PDF-1.7 a plan")
    client = create_site_app(tmp_path).test_client()
    pdf = client.get("/plan.pdf")
    assert (pdf.status_code, pdf.mimetype, pdf.data) == (200, "application/pdf", b"%PDF-1.7 a plan")
    assert client.get("/plan.pdf", headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304
    assert client.get("/").mimetype == "text/html"
