"""Pictures a policy shows whose files are not there.

The build finds these too, but only as MkDocs' "target is not found" warning at the end of a long
build; `check` says it first, with the file and line, so staff can fix it before a pull request.
A policy's page is made from `policies/<file>.md` as if it were `docs/policies/<file>.md`, so a
relative address is looked for from there: `images/pets/cat.png` in `policies/pets.md` is
`docs/policies/images/pets/cat.png`, where `policy-portal import` puts pictures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from policy_portal.problems import Problem

IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
"""A Markdown image's address: ![description](address "title")."""
REFERENCE_IMAGE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?!\()")
"""A reference-style image, ![description][label], whose address is in a definition: with an
empty label or none (`![description][]`, `![description]`) the description is the label."""
DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?([^\s>]+)")
"""A link reference definition, `[label]: address "title"`."""


def missing_images(root: Path, pages: Path) -> list[Problem]:
    """Each image in a policy file (translations and earlier versions too) whose file is not
    where the page made from it would look, `pages` being the folder policy pages are made in
    (`docs/policies`). Addresses on other sites are the allowlist's matter."""
    problems = []
    folder = root / "policies"
    for path in sorted(folder.rglob("*.md")):
        name = path.relative_to(root).as_posix()
        place = pages / path.parent.relative_to(folder)
        for number, address in image_addresses(path.read_text(encoding="utf-8")):
            parts = urlsplit(address)
            if parts.scheme or parts.netloc or address.startswith("/"):
                continue
            wanted = place / unquote(parts.path)
            if not wanted.is_file():
                where = Path(os.path.relpath(os.path.normpath(wanted), root)).as_posix()
                problems.append(Problem(name, number, "image", f"'{address}' is not there; put the "
                                        f"picture in {where} or correct the address"))
    return problems


def image_addresses(text: str) -> list[tuple[int, str]]:
    """(line number, address) of each image in Markdown `text`, written inline or by reference;
    a reference image is on the line it is shown, whichever line defines its address."""
    lines = text.splitlines()
    defined = {_label(match[1]): match[2] for match in map(DEFINITION.match, lines) if match}
    found = []
    for number, line in enumerate(lines, start=1):
        found += [(number, address) for address in IMAGE.findall(line)]
        for description, label in REFERENCE_IMAGE.findall(line):
            address = defined.get(_label(label or description))
            if address:
                found.append((number, address))
    return found


def _label(label: str) -> str:
    """A reference's label as Markdown matches it: any case, any run of spaces."""
    return " ".join(label.split()).casefold()
