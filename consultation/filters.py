"""What staff narrow the moderation queue and the consultation report to: section, who sent the
comment, how it reached us, its moderation state and what the automatic check flagged.

Filters travel in the query string (`?respondent=tenant&flag=phone&page=2`), set by a GET form of
labelled selects, so they work without JavaScript, survive paging (`_pager.html` keeps every
value) and can be bookmarked; the exports take the same values. A value that is not one of the
choices (a hand-edited or out-of-date address) is dropped with a message saying so, rather than
silently showing nothing. The SQL they become is in `store.comment_filter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from policy_portal.consultations.moderation import FLAG_LABELS
from policy_portal.consultations.rules import CHANNELS, RespondentType
from policy_portal.reading.policy import Policy
from policy_portal.text.sections import WHOLE_DRAFT, WHOLE_DRAFT_TITLE, sections

STATES = {"new": "Waiting for a moderator", "approved": "Approved", "hidden": "Hidden"}
"""Moderation states (the stored values of `Comment.moderation`), as staff read them."""
ANY_STATE = "any"
"""The queue shows only comments waiting for a moderator unless staff ask for this."""
ANY_FLAG = "any"
"""Every comment the check flagged, whatever it found."""


@dataclass(frozen=True)
class Filters:
    """One value a filter, None for "any". `section` is a section key of `policy`'s draft, or
    WHOLE_DRAFT for comments on the whole draft; `flag` a kind of FLAG_LABELS or ANY_FLAG."""

    policy: str | None = None
    section: str | None = None
    respondent: str | None = None
    channel: str | None = None
    state: str | None = None
    flag: str | None = None

    def args(self, *, keep_policy: bool = True) -> dict[str, str]:
        """The filters as query-string values, for links to the exports."""
        return {name: value for name, value in asdict(self).items()
                if value is not None and (keep_policy or name != "policy")}


def choices(policy: Policy | None, policies: Mapping[str, str] | None = None,
            *, waiting_first: bool = False) -> dict[str, dict[str, str]]:
    """The options of each select, value to label, the first meaning "any". Sections are offered
    only once a draft is chosen: section keys belong to one draft. `policies` (slug to title)
    only for the queue, which lists every draft's comments; the report is about one. With
    `waiting_first` (the queue) no state chosen means "waiting", and "any" is an option."""
    offered = {
        "section": {"": "Any section", **{section.key: section.title for section in sections(policy.body)},
                    WHOLE_DRAFT: WHOLE_DRAFT_TITLE} if policy else {},
        "respondent": {"": "Anyone", **{kind.value: kind.label for kind in RespondentType}},
        "channel": {"": "Any way", **CHANNELS},
        "state": {ANY_STATE: "Any state", **STATES} if waiting_first else {"": "Any state", **STATES},
        "flag": {"": "Flagged or not", ANY_FLAG: "Anything flagged",
                 **{kind: label.capitalize() for kind, label in FLAG_LABELS.items()}},
    }
    return {"policy": {"": "Every draft", **policies}} | offered if policies is not None else offered


def read(args: Mapping[str, str], offered: dict[str, dict[str, str]],
         policy: str | None = None) -> tuple[Filters, list[str]]:
    """The filters the query string asks for, and a sentence for each value that is not offered.
    `policy` fixes the draft (the report's). Where "any" is an option (the queue's state), no
    value means the second option: waiting for a moderator."""
    chosen: dict[str, str | None] = {"policy": policy}
    problems = []
    for name, options in offered.items():
        value = args.get(name, "")
        if not value and options and "" not in options:
            value = list(options)[1]
        if value in options:
            chosen[name] = None if value == "" or (name == "state" and value == ANY_STATE) else value
        elif value:
            problems.append(f"The “{LABELS[name]}” choice in the address is not one of the choices, "
                            "so that filter is not used: choose from the list.")
    return Filters(**chosen), problems


LABELS = {"policy": "Draft", "section": "Section", "respondent": "Who sent it",
          "channel": "How it reached us", "state": "Moderation", "flag": "Flagged for"}
"""The label of each filter's select, and the word used in messages about it."""
