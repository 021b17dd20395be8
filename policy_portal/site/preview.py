"""The pages a pull request changes, for reviewers who open the site it builds.

Staff reviewing a change read the plain-English summary (`changes.summary`), but to see what
tenants will see they need the pages themselves: the check workflow uploads the built site with
each pull request, and this lists where in it to look. For each policy or translation changed
since the base and still there: its page, large-print page and two PDFs.
"""

from __future__ import annotations

from pathlib import Path

from policy_portal.checks.changes import changed_files
from policy_portal.formats.build import format_paths
from policy_portal.reading.library import Library
from policy_portal.text.formatting import md_text

POLICIES = "policies"


def changed_pages(project: Path, base: str, library: Library) -> str:
    """Markdown: a line for each changed policy or translation with the paths of its pages in the
    built site. A removed one has no pages, so it has no line; the summary says it was removed."""
    lines = []
    names = sorted(Path(path).name.removesuffix(".md").partition(".")[::2]
                   for path in changed_files(project, base))  # each policy, then its translations
    for slug, code in names:
        if code:
            translation = library.translation(slug, code)
            if translation is None:
                continue
            title = f"{translation.title} ({library.languages[code].english_name})"
            folder = f"{code}/{POLICIES}"
        elif slug in library.policies:
            title, folder = library[slug].title, POLICIES
        else:
            continue
        large_print, pdf, large_print_pdf = (f"`{folder}/{name}`" for name in format_paths(slug))
        lines.append(f"- **{md_text(title)}**: page `{folder}/{slug}/index.html`, large print {large_print}, "
                     f"PDF {pdf}, large-print PDF {large_print_pdf}")
    if not lines:
        return "No policy or translation has changed, so there are no changed pages.\n"
    return "\n".join(lines) + "\n"
