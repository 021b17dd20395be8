"""The draft and its comment forms, rendered once per draft version and filled in per visitor.

With nine forms, most of a consultation page's time went on the Jinja macros of its forms and
the Markdown of its sections, which come out the same for everyone who opens the same draft on
the same day. So the first visitor's render is kept with its per-visitor values cut out, and
every later visitor gets it back with their own put in. For a visitor who is not a panel member
the whole page is kept this way (the page around the draft took a fifth of a request's time),
with a slot where the published comments go: those are put in for every request, as
`consultation.published_cache` keeps them (for at most a second, and emptied by every change).

Why this is safe, and no visitor can see another's token or details:
- Only a render of empty forms is ever kept: a page with a form sent back (its errors and the
  person's own words) is rendered afresh every time and never stored (see `views._page`); so is
  the page around the draft for a panel member, which names them.
- The only per-visitor values in such a render are the CSRF token (the same in every form of a
  page) and each form's submission key. Both are cut out by their exact values before the render
  is kept, and `render` fills in the values of the request at hand: this visitor's token and new
  submission keys. Whatever else differs between visitors (a panel member's name and comments,
  the published comments, the error summary) is rendered around the kept part, per request.
- Being a panel member changes the forms (no "who are you" or name): it is part of the key.
- The key is everything else the render depends on: the policy's slug, version, text and
  consultation settings, the day and the consultation's state on it, and the address the app is
  served under (in the forms' actions); for a whole page, also the policy's title, summary and
  reference and what every page shows (`views._page_key`). A changed policy file is a new key;
  old ones age out.
- The cache is one per app (so per process, never shared between workers or apps) and holds at
  most `SIZE` drafts, least recently used out first.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from consultation.forms import CommentForm
from consultation.least_recently_used import LeastRecentlyUsed

SIZE = 64
"""Drafts kept a process: every draft open for comments, twice (public and panel), with room."""
EXTENSION = "consultation.draft_cache"
TOKEN = object()
"""The slot for the CSRF token; the other slots are submission keys, and PUBLISHED."""
PUBLISHED = object()
"""The slot for the published comments, in a whole page kept."""


@dataclass(frozen=True)
class Kept:
    """A render with its per-visitor values cut out: `pieces` of HTML, with a slot between each two."""

    pieces: tuple[str, ...]
    slots: tuple[object, ...]

    def fill(self, token: str, published: str = "") -> Markup:
        """The render for a visitor holding `token`, each form with a new submission key, and
        the `published` comments in their slot if it has one."""
        keys: dict[object, str] = {}
        html = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            if slot is TOKEN:
                html.append(token)
            elif slot is PUBLISHED:
                html.append(published)
            else:
                html.append(keys.setdefault(slot, str(uuid.uuid4())))
            html.append(piece)
        return Markup("".join(html))


def cut(html: str, forms: Sequence[CommentForm], published: str) -> Kept:
    """`html`, rendered for `forms`, with their token and submission keys cut out, and the
    `published` marker where the published comments go."""
    values: dict[str, object] = {form.csrf_token.current_token: TOKEN for form in forms}
    values.update({form.submission.data: index for index, form in enumerate(forms)})
    values[published] = PUBLISHED
    parts = re.split(f"({'|'.join(map(re.escape, values))})", html)
    return Kept(tuple(parts[0::2]), tuple(values[value] for value in parts[1::2]))


class DraftCache:
    """Kept renders by key, at most `size` of them, safe to use from several threads."""

    def __init__(self, size: int = SIZE) -> None:
        self._kept: LeastRecentlyUsed[Kept] = LeastRecentlyUsed(size)
        self._lock = threading.Lock()

    def render(self, key: Hashable, forms: Callable[[], Sequence[CommentForm]],
               template: Callable[[Sequence[CommentForm], Markup], str], published: str = "") -> Markup:
        """The render for `key`, with this request's token, new submission keys and `published`
        (the published comments, for a whole page). On a miss, `template(forms(), marker)` is
        rendered, cut and kept: `template` puts the marker where the published comments go."""
        with self._lock:
            kept = self._kept.get(key)
        if kept is None:
            made = forms()
            marker = f"<!-- published comments {uuid.uuid4()} -->"
            kept = cut(template(made, Markup(marker)), made, marker)
            with self._lock:
                self._kept.put(key, kept)
        return kept.fill(generate_csrf(), published)


def cache(app: Flask) -> DraftCache:
    """The app's cache, made on first use."""
    return app.extensions.setdefault(EXTENSION, DraftCache())
