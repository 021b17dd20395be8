"""Problems found in policy files, reported all at once with file and line.

Staff fix policies by reading these messages, so each one names the file, the line, the field,
what is wrong and how to put it right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one policy file."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class PolicyError(Exception):
    """Raised when policies cannot be published; carries every problem found, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the policy files:"
        super().__init__("\n".join([heading, *map(str, self.problems)]))
