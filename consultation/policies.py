"""The policies the consultation app shows, read from the same files as the site.

Files are read again when one changes, so a draft edited during a consultation is shown as
edited without restarting the app. If an edit breaks a file, the app keeps the last good
version and logs the problems (`policy-portal check` and the site build refuse it anyway).
"""

from __future__ import annotations

import logging
import threading

from policy_portal.problems import PolicyError
from policy_portal.project import Project
from policy_portal.reading.library import Library, policy_files

log = logging.getLogger(__name__)


class PolicySource:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.policies
        self._lock = threading.Lock()
        self._signature = self._current_signature()
        self._library = project.library  # a broken folder at start-up stops the app

    def _current_signature(self) -> tuple:
        return tuple((path.name, stat.st_mtime_ns, stat.st_size)
                     for path in policy_files(self.folder) for stat in [path.stat()])

    def library(self) -> Library:
        signature = self._current_signature()
        if signature != self._signature:
            with self._lock:
                if signature != self._signature:
                    try:
                        self._library = self.project.read_library()
                    except PolicyError as error:
                        log.error("Policy files changed but are not valid; still showing the "
                                  "previous version.\n%s", error)
                    self._signature = signature
        return self._library
