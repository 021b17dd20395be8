"""What staff see while `policy-portal build` and `import` work, and the summary after.

The domain reports `policy_portal.progress.Step`s; this turns them into progress bars when the
output is a terminal (rich: several bars at once, one a language and format, with other output
printed above them) or, in CI logs and pipes, into plain lines, at most one for each tenth of a
task, with no control characters. Every step is also kept for the summary: what was made, what
was reused from the cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars

from policy_portal.progress import Progress, Step, capitalised

REDRAWS = 4
"""Redraws of the bars a second: at rich's 10, a dozen bars took 5 % of a core from the build."""


class Summary:
    """The last step of each task, for the lines that end a command."""

    def __init__(self) -> None:
        self.steps: dict[str, Step] = {}

    def __call__(self, step: Step) -> None:
        self.steps[step.task] = step

    def lines(self) -> list[str]:
        """One line for each kind of thing made, all languages together, in the order they began:
        "PDFs: 2 made, 22 reused from the cache (English 12, Welsh 12)"."""
        kinds: dict[str, list[Step]] = {}
        for step in self.steps.values():
            kinds.setdefault(step.what, []).append(step)
        lines = []
        for what, steps in kinds.items():
            reused = sum(step.reused for step in steps)
            made = sum(step.done for step in steps) - reused
            if steps[0].language is None and steps[0].total == 1:  # one thing: the search index
                lines.append(f"{steps[0].task}: {'reused from the cache' if reused else 'made'}.")
                continue
            line = f"{capitalised(what)}: {made} made"
            line += f", {reused} reused from the cache" if reused else ""
            if len(steps) > 1:
                line += f" ({', '.join(f'{step.language} {step.done}' for step in steps)})"
            lines.append(f"{line}.")
        return lines


class PlainLines:
    """A line each time a task passes a tenth of its total, and when it finishes: enough to
    follow a long build in a CI log, never a line per page of a big site."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tenths: dict[str, int] = {}

    def __call__(self, step: Step) -> None:
        tenths = 10 * step.done // step.total if step.total else 10
        if tenths > self.tenths.get(step.task, 0):
            self.tenths[step.task] = tenths
            print(step, file=self.stream, flush=True)


class TerminalBars:
    """A bar for each task, added as it begins, redrawn in place."""

    def __init__(self, console: Console) -> None:
        self.bars = Bars(SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"), BarColumn(),
                         MofNCompleteColumn(" of "), TextColumn("{task.fields[cached]}"), TimeElapsedColumn(),
                         console=console, refresh_per_second=REDRAWS)
        self.tasks: dict[str, int] = {}

    def __call__(self, step: Step) -> None:
        cached = f"{step.reused} from the cache" if step.reused else ""
        if step.task not in self.tasks:
            self.tasks[step.task] = self.bars.add_task(step.task, total=step.total, cached=cached)
        self.bars.update(self.tasks[step.task], completed=step.done, total=step.total, cached=cached)


@contextmanager
def showing(stream: TextIO, *also: Progress) -> Iterator[Progress]:
    """Progress shown on `stream`, as bars on a terminal or else plain lines, and passed on to
    each of `also` (a Summary). A terminal that cannot redraw a line (TERM=dumb, as Emacs' shell
    and some screen readers' set-ups say) gets the plain lines too: rich would show it nothing
    until the end."""
    console = Console(file=stream)
    if not stream.isatty() or console.is_dumb_terminal:
        yield _each(PlainLines(stream), *also)
        return
    terminal = TerminalBars(console)
    with terminal.bars:  # while the bars are drawn, anything else printed goes above them
        yield _each(terminal, *also)


def _each(*progress: Progress) -> Progress:
    def report(step: Step) -> None:
        for each in progress:
            each(step)

    return report
