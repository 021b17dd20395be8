"""The portal for a production WSGI server such as gunicorn:

    PORTAL_PROJECT=/srv/policies DATABASE_URL=postgresql://... SECRET_KEY=... PORTAL_PROXIES=1 \\
        PORTAL_HOSTS=policies.example.org gunicorn --workers 4 --bind 127.0.0.1:8000 portal.wsgi:application

PORTAL_PROXIES is how many reverse proxies stand in front (usually 1: nginx); see
`portal.server.create_portal`.

Build the site (`policy-portal build`) and upgrade the database (`policy-portal migrate`)
first: workers never change the schema themselves, so several can start at once.
"""

from __future__ import annotations

from pathlib import Path

from policy_portal.config.environment import setting
from policy_portal.project import load_project
from portal.server import create_portal

project = load_project(Path(setting("PORTAL_PROJECT")))
application = create_portal(project, project.site, proxies=int(setting("PORTAL_PROXIES")))
