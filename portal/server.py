"""Serve the built site over HTTP, the way `policy-portal serve` runs the portal.

A Flask app, so the consultation app can join it on the same port. Pages are served from the
built site folder with directory addresses (`/policies/complaints/` -> its index.html) and the
site's own 404 page for anything missing.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join


def create_app(site_dir: Path) -> Flask:
    app = Flask(__name__, static_folder=None)
    site = str(site_dir.resolve())

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def page(path: str):
        target = safe_join(site, path)
        if target and Path(target).is_dir():
            if path and not path.endswith("/"):
                return app.redirect(f"/{path}/", 308)
            path = f"{path}index.html"
        try:
            return send_from_directory(site, path)
        except NotFound:
            return send_from_directory(site, "404.html"), 404

    return app
