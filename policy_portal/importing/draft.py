"""`policy-portal import`: a Word document made into a draft policy file, or an earlier version.

The file is written in the policy format with what the document says (title, the
document-control table's facts) and nothing guessed: fields the document does not give are left
out, so `policy-portal check` asks for each. Images go where the site's pages and both PDFs find
them (IMAGES). Nothing is ever overwritten: if the policy file or an image's file is already
there, nothing at all is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import html as lxml_html

from policy_portal.formats.build import IMAGES as POLICY_PAGES
from policy_portal.importing.document_control import control_fields, is_control_table
from policy_portal.importing.markdown_writer import policy_markdown
from policy_portal.importing.word import WordError, read_word
from policy_portal.progress import Progress, Step, quiet
from policy_portal.reading.earlier import earlier_path
from policy_portal.reading.policy import Status
from policy_portal.reading.reader import SLUG
from policy_portal.reading.schema import FIELDS
from policy_portal.reading.starter import slug_for

IMAGES = f"docs/{POLICY_PAGES}/images"
"""Policy images, one folder per policy: docs/ is copied into the site as it is, and from a
policy's page (policies/<slug>/) `images/<slug>/chart.png` leads here, as it does for the PDFs."""


@dataclass
class Imported:
    path: Path
    images: list[Path]
    not_carried: list[str]
    to_fill: list[str]
    """Fields the policy's status needs that the document did not give."""
    without_alt: list[str]
    """Image addresses, as written in the file, that have no alt text."""


def import_word(source: Path, project: Path, slug: str | None = None,
                earlier_version: str | None = None, progress: Progress = quiet) -> Imported:
    """Write the policy file (or, with `earlier_version`, the earlier version's file) and its
    images; WordError, saying what to do, if it cannot, with nothing written. `progress` is told
    when the document has been read (a large one takes seconds), and of each file written."""
    progress(Step("Word document", None, 0, 1))
    document = read_word(source)
    progress(Step("Word document", None, 1, 1))
    root = lxml_html.fragment_fromstring(document.html, create_parent="div")
    title = _take_title(root, document.not_carried) or source.stem
    status = Status.APPROVED if earlier_version else Status.DRAFT
    fields: dict[str, object] = {"title": title, "status": status.value}
    for table in root.iter("table"):
        rows = [[cell.text_content() for cell in row.findall("./*")] for row in table.iter("tr")]
        if is_control_table(rows):
            fields.update(control_fields(rows))
            table.getparent().remove(table)
            break
    slug = slug or slug_for(title)
    if not SLUG.fullmatch(slug or ""):
        raise WordError(f"'{slug}' cannot be a policy's file name; give --slug in lower-case words "
                        "joined by hyphens, for example --slug complaints")
    if earlier_version:
        fields["version"] = earlier_version
    path = earlier_path(project / "policies", slug, earlier_version) if earlier_version \
        else project / "policies" / f"{slug}.md"
    folder = f"{slug}/v{earlier_version}" if earlier_version else slug
    images = {project / IMAGES / folder / name: data for name, data in document.images.items()}
    taken = [existing for existing in (path, *images) if existing.exists()]
    if taken:
        raise WordError(f"{taken[0].relative_to(project)} already exists, so nothing was written; "
                        "import under another --slug, or move the existing file first")
    body = policy_markdown(root, f"{'../' * (earlier_version is not None)}images/{folder}/")
    path.parent.mkdir(parents=True, exist_ok=True)
    for done, (image, data) in enumerate(images.items(), start=1):
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(data)
        progress(Step("images", None, done, len(images)))
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    progress(Step("policy file", None, 1, 1))
    without_alt = re.findall(r"!\[\]\(([^)]*)\)", body)
    to_fill = [name for name, spec in FIELDS.items() if status in spec.required and name not in fields]
    return Imported(path, list(images), document.not_carried, to_fill, without_alt)


def _take_title(root, notes: list[str]) -> str | None:
    """The Title-style paragraph of the title page, or else the first heading, taken out of the
    text: the site shows the title itself. A subtitle (usually the association's name) goes too."""
    titles = root.xpath("//h1[@class='title']") or root.xpath("//h1")
    for subtitle in root.xpath("//p[@class='subtitle']"):
        notes.append(f"the subtitle '{' '.join(subtitle.text_content().split())[:60]}' left out "
                     "(the site shows the association's name)")
        subtitle.getparent().remove(subtitle)
    if not titles:
        return None
    title = " ".join(titles[0].text_content().split())
    titles[0].getparent().remove(titles[0])
    return title or None

