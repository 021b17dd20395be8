"""Rows of "About this policy" that real documents carry besides the portal's own fields: their
document control table and their appendices.

Kept apart from the page renderer, which adds them after its own rows, so that the rows can move
with it whatever shape the renderer takes.
"""

from __future__ import annotations

from policy_portal.reading.policy import Policy


def document_rows(policy: Policy) -> list[tuple[str, str]]:
    """`document_control:` in the order written, then the appendices' titles, one after another."""
    rows = list(policy.document_control.items())
    if policy.appendices:
        rows.append(("Appendices", "; ".join(policy.appendices)))
    return rows
