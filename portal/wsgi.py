"""The portal for a production WSGI server such as gunicorn:

    PORTAL_PROJECT=/srv/policies DATABASE_URL=postgresql://... SECRET_KEY=... PORTAL_PROXIES=1 \\
        PORTAL_HOSTS=policies.example.org gunicorn --workers 4 --bind 127.0.0.1:8000 portal.wsgi:application

PORTAL_PROXIES is how many reverse proxies stand in front (usually 1: nginx); see
`portal.server.create_portal`.

Build the site (`policy-portal build`) and upgrade the database (`policy-portal migrate`)
first: workers never change the schema themselves, so several can start at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from portal.server import create_portal

project = Path(os.environ.get("PORTAL_PROJECT", ".")).resolve()
application = create_portal(project, project / "site", proxies=int(os.environ.get("PORTAL_PROXIES", "0")))
