"""The portal as one web app: the built site, with the consultation app at /consultations/.

The site part serves pages from the built site folder with directory addresses
(`/policies/complaints/` -> its index.html) and the site's own 404 page for anything missing.
`policy-portal serve` runs this; so does gunicorn in production (see `portal.wsgi`).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join
from werkzeug.serving import WSGIRequestHandler

from consultation import create_app as create_consultation_app
from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.project import Project
from policy_portal.site import csp

SITE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
"""For the static site, with its content security policy (see `SitePolicy`)."""


class SitePolicy:
    """The built site's content security policy, read again whenever a build replaces it.

    The build writes the policy into the site folder (`policy_portal.site.csp`), and the site is
    rebuilt while the portal runs (daily, for review notices): a policy read once would block a
    new build's new inline scripts until a restart. Checking the file costs one stat a response.
    """

    def __init__(self, site_dir: Path) -> None:
        self._path = site_dir / csp.POLICY_FILE
        self._seen: tuple[int, int, int] | None = None
        self._text = ""

    def __call__(self) -> str:
        try:
            stat = self._path.stat()
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if seen != self._seen:
                self._text, self._seen = self._path.read_text(encoding="utf-8").strip(), seen
        except FileNotFoundError:  # not built yet, or built before sites had a policy
            return csp.policy([])  # the same policy with no inline script allowed
        return self._text


class PathOnlyLog(WSGIRequestHandler):
    """`policy-portal serve` logs each request without its query string, where a panel member's
    invitation token travels: a log must not hold a key that lets someone comment in their name."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if hasattr(self, "path"):  # absent when the request line could not be read
            self.path = self.path.split("?", 1)[0]
        self.requestline = self.requestline.split("?", 1)[0]
        super().log_request(code, size)


def create_site_app(site_dir: Path) -> Flask:
    app = Flask(__name__, static_folder=None)
    site = str(site_dir.resolve())
    policy = SitePolicy(Path(site))

    @app.after_request
    def add_headers(response):
        response.headers.update(SITE_HEADERS)
        response.headers["Content-Security-Policy"] = policy()
        return response

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def page(path: str):
        target = safe_join(site, path)
        if target and Path(target).is_dir():
            if path and not path.endswith("/"):
                return app.redirect(f"/{path}/", 308)
            path = f"{path}index.html"
        # Files are read whole, not streamed: a browser often drops requests it no longer needs
        # (a favicon, Material's probes for sitemaps), and a file streamed to a dropped
        # connection is left open (a leaked handle). The site's largest files are its PDFs.
        file = safe_join(site, path)
        if file is None or not Path(file).is_file():
            return Response((Path(site) / "404.html").read_bytes(), 404, mimetype="text/html")
        response = Response(Path(file).read_bytes(),
                            mimetype=mimetypes.guess_type(file)[0] or "application/octet-stream")
        response.last_modified = Path(file).stat().st_mtime
        response.add_etag()
        return response.make_conditional(request)

    return app


def create_portal(project: Project | Path, site_dir: Path, settings: Mapping[str, Any] | None = None,
                  proxies: int = 0) -> Flask:
    """The site app, with the consultation app mounted under it on the same port.

    `proxies`: how many reverse proxies (nginx, a load balancer) stand in front. Their
    X-Forwarded-For/-Proto/-Host headers are then trusted, so the rate limit sees each visitor's
    own address and the app knows the page was asked for over HTTPS. Never set it higher than
    the real number: a visitor could then claim any address. Raises
    `consultation.sending.MailSettingsError` when `PORTAL_URL` is not an address under the
    mounted app.
    """
    consultation = create_consultation_app(project, settings, mounted_at=CONSULTATION_PATH)
    portal = create_site_app(site_dir)
    portal.config["TRUSTED_HOSTS"] = consultation.config["TRUSTED_HOSTS"]
    portal.wsgi_app = DispatcherMiddleware(portal.wsgi_app,
                                           {CONSULTATION_PATH.rstrip("/"): consultation})
    if proxies:
        portal.wsgi_app = ProxyFix(portal.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    portal.extensions["consultation"] = consultation
    return portal
