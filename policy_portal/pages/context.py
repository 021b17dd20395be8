"""What every page of the site needs besides its own text, passed as one object.

Pages used to take `(library, association, today, ...)` one by one, down through every function
that draws a part of them; a new setting meant changing them all. A context is made once a
build (`PageContext(library, association, today, consultation_url=...)`) and, for another
language, once per language (`context.in_language(language, root)`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

from policy_portal.config.languages import ENGLISH, Language
from policy_portal.config.messages import Words
from policy_portal.config.settings import CONSULTATION_PATH, OUTCOME_WEEKS, Association
from policy_portal.reading.library import Library


@dataclass(frozen=True)
class PageContext:
    library: Library
    """Every policy and translation: for related policies' titles and a withdrawn one's successor."""
    association: Association
    """Who publishes the policies: how to ask for another format."""
    today: dt.date
    """Whether a review is overdue, and a consultation open."""
    language: Language = ENGLISH
    consultation_url: str = CONSULTATION_PATH
    """Where the consultation app runs: a draft's "Comment on this draft" link."""
    outcome_weeks: int = OUTCOME_WEEKS
    """How long after closing day a consultation's outcome is due, which a closed draft says."""
    root: str = ""
    """The way from the page to the top of the site ("../../../" from cy/policies/x/), or the
    site's address for a PDF: a translation links to the English text, outside its language's
    folder."""

    @cached_property
    def words(self) -> Words:
        """The portal's words, and dates, in the page's language (English's are the messages)."""
        return Words(self.language)

    def in_language(self, language: Language, root: str) -> PageContext:
        """The same build's context for pages in `language`, `root` away from the top of the site."""
        return replace(self, language=language, root=root)
