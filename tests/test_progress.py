"""Progress at a terminal: bars drawn and redrawn in place, read back through a pseudo-terminal.

What a build and an import print when their output is not a terminal (plain lines, and the
summary) is checked on real runs in test_cli.py, test_formats.py and test_import.py.
"""

from __future__ import annotations

import os
import pty
import threading

from policy_portal.progress import Step
from portal.progress import Summary, showing

STEPS = (Step("PDFs", "Welsh", 0, 4), Step("PDFs", "Welsh", 2, 4, reused=2),
         Step("PDFs", "Welsh", 4, 4, reused=2), Step("search index", None, 1, 1))


def at_a_terminal(summary: Summary) -> str:
    """What a terminal shows of STEPS, read back through a pseudo-terminal."""
    controller, terminal = pty.openpty()
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                shown.append(os.read(controller, 4096))
            except OSError:  # the terminal's side was closed: all is read
                return

    reader = threading.Thread(target=read)
    reader.start()
    with open(terminal, "w", encoding="utf-8") as stream, showing(stream, summary) as progress:
        for step in STEPS:
            progress(step)
    reader.join(timeout=10)
    os.close(controller)
    return b"".join(shown).decode("utf-8")


def test_at_a_terminal_each_task_is_a_bar_redrawn_in_place(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    summary = Summary()
    text = at_a_terminal(summary)
    assert "\x1b[" in text  # drawn with the terminal's control sequences, not printed line by line
    last = text.rsplit("\x1b[2K", 1)[-1]  # the bars as they were left
    assert "Welsh PDFs" in last and "4 of 4" in last and "2 from the cache" in last
    assert "Search index" in last and "1 of 1" in last
    assert summary.lines() == ["PDFs: 2 made, 2 reused from the cache.", "Search index: made."]


def test_a_terminal_that_cannot_redraw_gets_plain_lines(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert at_a_terminal(Summary()).replace("\r\n", "\n") == (  # a terminal ends lines with \r\n
        "Welsh PDFs: 2 of 4 (2 from the cache)\nWelsh PDFs: 4 of 4 (2 from the cache)\n"
        "Search index: 1 of 1\n")
