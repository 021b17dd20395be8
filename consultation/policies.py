"""The policies the consultation app shows, read from the same files as the site.

Files are read again when one changes, so a draft edited during a consultation is shown as
edited without restarting the app, within `POLICY_CHECK_SECONDS` (app setting, default 1) in
each process. If an edit breaks a file, the app keeps the last good version and logs the
problems (`policy-portal check` and the site build refuse it anyway).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from policy_portal.problems import PolicyError
from policy_portal.project import Project
from policy_portal.reading.library import Library, policy_files

log = logging.getLogger(__name__)


LISTING_SETTLES_NS = 1_000_000_000
"""A folder changed this recently may change again within the same tick of its clock (some file
systems' dates are that coarse), so its files are listed again until it is older than this."""


CHECK_SECONDS = 1.0
"""How long a process goes on using the policies it read before looking at the files' dates
again. Looking means a date for every policy file and translation: at 100 policies in four
languages that is 400 file dates, 0.8 ms on this machine, which on every request would be more than
the rest of a consultation page (issue 21)."""


class PolicySource:
    def __init__(self, project: Project, check_seconds: float = CHECK_SECONDS) -> None:
        self.project = project
        self.folder = project.policies
        self.check_seconds = check_seconds
        self._next_check = 0.0
        self._lock = threading.Lock()
        self._listing: tuple[int, tuple[str, ...]] = (-1, ())
        self._signature = self._current_signature()
        self._library = project.library  # a broken folder at start-up stops the app

    def _current_signature(self) -> tuple:
        """The policy files' names, dates and sizes. The folder is listed again only when its own
        date says a file was added, removed or renamed in it: listing it (a glob, a filter and a
        sort) on every request took three times as long as reading the files' dates."""
        listed, files = self._listing
        changed = os.stat(self.folder).st_mtime_ns
        if changed != listed or time.time_ns() - changed < LISTING_SETTLES_NS:
            files = tuple(str(path) for path in policy_files(self.folder))
            self._listing = (changed, files)
        try:
            return tuple((path, stat.st_mtime_ns, stat.st_size) for path in files for stat in [os.stat(path)])
        except FileNotFoundError:  # removed since it was listed: the folder's date has changed
            return self._current_signature()

    def library(self) -> Library:
        """The policies as read when the files were last looked at, looked at again when
        `check_seconds` have passed since."""
        now = time.monotonic()
        if now < self._next_check:
            return self._library
        self._next_check = now + self.check_seconds
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
