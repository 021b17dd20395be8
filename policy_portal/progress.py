"""How long work (a build, an import) says how far it has got, without knowing who listens.

The domain reports plain `Step` events to a `Progress` callback; what shows them (progress bars
on a terminal, plain lines in CI, nothing at all) is the adapter's choice. Each event
carries the whole state of its task ("Welsh PDFs: 3 of 10, 2 from the cache"), not a difference,
so events can come from several processes, be pickled or sent as log records, and any one of
them can be shown alone.

MkDocs runs the hooks in the process that called it but gives them no way to receive an object,
so the hooks send their steps as log records (`log_steps`), which `policy-portal build` picks up
(`step_of`) and `mkdocs build -v` prints as debug lines.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

STEP = "portal_step"
"""The attribute of a log record that carries a Step."""
LOGGER = "mkdocs.hooks.policies.progress"
"""The logger the MkDocs hooks send steps to: under MkDocs' own, so `mkdocs build -v` shows them."""


@dataclass(frozen=True)
class Step:
    """How far one task has got: `done` of `total` things made or taken from the cache."""

    what: str
    """What is being made, plural, as staff read it: "pages", "PDFs", "search index"."""
    language: str | None
    """The language's English name, when the work is done once per language."""
    done: int
    total: int
    reused: int = 0
    """How many of `done` were taken from the cache instead of made."""

    @property
    def task(self) -> str:
        """The task's name on a progress bar or a line: "Welsh PDFs", "Search index"."""
        return f"{self.language} {self.what}" if self.language else capitalised(self.what)

    def __str__(self) -> str:
        cached = f" ({self.reused} from the cache)" if self.reused else ""
        return f"{self.task}: {self.done} of {self.total}{cached}"


def capitalised(what: str) -> str:
    """"PDFs" stays as it is, "search index" becomes "Search index"."""
    return what[:1].upper() + what[1:]


Progress = Callable[[Step], None]
"""Where long work reports each step."""


def quiet(step: Step) -> None:
    """Progress that nobody watches: the default, so that callers need not pass one."""


Finished = Callable[[Sequence[int], bool], None]
"""Told which jobs of a list are done (their indexes), and whether they were made (True) or
taken from the cache (False)."""


def nobody(jobs: Sequence[int], made: bool) -> None:
    """Finished jobs that nobody counts: the default."""


def log_steps() -> Progress:
    """Progress sent as debug records of `LOGGER`, each with its Step (`step_of`)."""
    logger = logging.getLogger(LOGGER)

    def report(step: Step) -> None:
        logger.debug("%s", step, extra={STEP: step})

    return report


def step_of(record: logging.LogRecord) -> Step | None:
    """The Step a log record carries, if it is one of `log_steps`'."""
    return getattr(record, STEP, None)


class PerLanguage:
    """One task ("PDFs") counted for each language, over jobs that mix languages.

    `languages` gives each job's language, in job order; `finished` is told which jobs are done,
    in any order and any grouping, and reports one Step per language they touched. Files found
    in the cache come as one group, so a build that reuses everything says so in one step."""

    def __init__(self, progress: Progress, what: str, languages: Sequence[str]) -> None:
        self.progress, self.what, self.languages = progress, what, languages
        self.totals = Counter(languages)
        self.done: Counter[str] = Counter()
        self.reused: Counter[str] = Counter()
        for language, total in self.totals.items():
            progress(Step(what, language, 0, total))

    def finished(self, jobs: Sequence[int], made: bool) -> None:
        touched = []
        for job in jobs:
            language = self.languages[job]
            self.done[language] += 1
            self.reused[language] += not made
            if language not in touched:
                touched.append(language)
        for language in touched:
            self.progress(Step(self.what, language, self.done[language], self.totals[language],
                               self.reused[language]))
