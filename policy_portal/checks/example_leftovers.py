"""The example association's details left in a project that has become a real association's.

The project starts as Larkfield Housing Association's example. Once its example policies are gone,
any "Larkfield", its phone number or its address still on the site's own pages or in mkdocs.yml
is a page that would tell tenants to call someone else: `check` and `build` warn, with the line.
While example policies remain the project is still the example, and there is nothing to warn of.
"""

from __future__ import annotations

import re
from pathlib import Path

from policy_portal.problems import Problem

EXAMPLE = re.compile(r"larkfield|0113 496 0750|mill yard|LK1 2AB", re.IGNORECASE)
"""The example association's name (Larkfield Homes, larkfield-housing.example), phone and address."""
STAFF_GUIDE = "docs/staff"
"""Its examples (`staff-add dana@larkfield.example`) are instructions, not the association's details."""


def example_leftovers(project: Path) -> list[Problem]:
    """Each line of mkdocs.yml or a site page (not the staff guide) that still has the example
    association's details, comments aside: they are not published."""
    files = [project / "mkdocs.yml", *sorted((project / "docs").rglob("*.md"))]
    found = []
    for path in files:
        name = path.relative_to(project).as_posix()
        if name.startswith(STAFF_GUIDE) or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXAMPLE.search(line.split(" #")[0] if name == "mkdocs.yml" else line)
            if match and not line.lstrip().startswith("#" if name == "mkdocs.yml" else "<!--"):
                found.append(Problem(name, number, "example association",
                                     f"'{match.group()}' is the example association's; put your own "
                                     "details here (see docs/staff/setting-up.md)"))
    return found


def example_warnings(project: Path) -> list[Problem]:
    """The leftovers, once no policy file mentions the example association any more."""
    policies = (project / "policies").glob("*.md")
    if any(EXAMPLE.search(path.read_text(encoding="utf-8")) for path in policies):
        return []
    return example_leftovers(project)
