"""The published comments of a consultation page, kept for a second (a "microcache").

With the rest of the page kept by `consultation.draft_cache`, a page GET's one remaining trip to
the database is the count and page of published comments, and on PostgreSQL that round trip was
most of what stood between the page and a bare Flask-WTF page. What the public may see of the
comments changes only when someone comments or a member of staff moderates, answers or erases,
so a busy page can show what it read a moment ago: each process keeps each rendered block for
at most `PUBLISHED_COMMENTS_CACHE_SECONDS` (default 1; 0 keeps nothing), and reads the database
for it about once a second per page, whatever the number of visitors.

Why no visitor sees what they should not, and staff see their own change at once:
- The block is the same for everyone: rendered from the published comments and the address
  (its filter and page links), never from the session, and with no form that posts (the filter
  is a GET form with no token). A panel member's comments, tokens and submission keys are
  rendered around it, per request. The key is everything the block depends on: the address the
  app is served under, the page's endpoint and its arguments, the whole query string (the
  pager repeats it in its links), the draft's version and its sections.
- Every change to what the public sees (`consultation.actions`: moderating, answering, erasing)
  calls `comments_changed()` once committed, which empties this process's cache: the member of staff
  who acted sees the change on their next page. Other server processes, and the server after a
  command-line erasure, show it within the setting's seconds, when their copy expires. A new
  comment is counted the same way, within the setting's seconds.
- A render begun before a `comments_changed()` and finished after it is not kept (a generation count),
  so an old read never outlives the change that made it old.
- At most `SIZE` blocks and `CHARACTERS` of text a process, the least recently used dropped
  first; the lock makes it safe for gunicorn's threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from flask import Flask, current_app

from consultation.least_recently_used import LeastRecentlyUsed
from policy_portal.config.environment import SettingsError

SIZE = 256
"""Blocks kept a process: the first pages and section filters of every open draft, with room;
a flood of made-up addresses only pushes the oldest out."""
CHARACTERS = 4_000_000
"""And at most this much text a process (16 MB at worst, in four-byte characters): a page of
50 of the longest comments is half a million characters, so made-up addresses for such pages cannot
fill a worker's memory either."""
EXTENSION = "consultation.published_cache"
SETTING = "PUBLISHED_COMMENTS_CACHE_SECONDS"


class PublishedCache:
    """Rendered blocks by key, each for at most `seconds`; thread-safe, at most `size` of them
    and `characters` of text in all."""

    def __init__(self, seconds: float, size: int = SIZE, characters: int = CHARACTERS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self._clock = seconds, clock
        self._kept: LeastRecentlyUsed[tuple[float, str]] = LeastRecentlyUsed(
            size, characters, weigh=lambda kept: len(kept[1]))
        self._generation = 0
        self._lock = threading.Lock()

    def render(self, key: Hashable, render: Callable[[], str]) -> str:
        """The block for `key`: kept if it was made less than `seconds` ago, else `render()`,
        kept from the moment it began (so nothing shown is older than `seconds`)."""
        if self.seconds <= 0:
            return render()
        started = self._clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and started - kept[0] < self.seconds:
                return kept[1]
            generation = self._generation
        block = render()
        with self._lock:
            if generation == self._generation:
                self._kept.put(key, (started, block))
        return block

    def clear(self) -> None:
        """Forget every block, and any render under way when this was called."""
        with self._lock:
            self._kept.clear()
            self._generation += 1


def seconds(value: str) -> float:
    """The setting's value as a number of seconds, or a `SettingsError` saying what to write."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 60:
        raise SettingsError(f"{SETTING} is {value!r}: set it to a number of seconds from 0 to 60, such as 1 "
                         "(0 reads the published comments for every visit)")
    return number


def cache(app: Flask) -> PublishedCache:
    """The app's cache, made on first use with the app's setting."""
    kept = app.extensions.get(EXTENSION)
    if kept is None:
        kept = app.extensions.setdefault(EXTENSION, PublishedCache(float(app.config[SETTING])))
    return kept


def comments_changed() -> None:
    """What the public may see of the comments has changed (and been committed): this process's
    kept blocks go now; other processes' expire within the setting's seconds."""
    cache(current_app).clear()
