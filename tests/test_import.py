"""`policy-portal import`: real Word documents (made with python-docx, see word_documents.py) into
policy files, with what could not be carried over said; earlier versions into
policies/earlier-versions/; and, end to end, a document that `check` accepts once its questions
are answered and that builds into a page, large print and two PDFs with everything in it."""

from __future__ import annotations

import re
import shlex
import zipfile
from pathlib import Path

import docx
import pymupdf
import pytest
from bs4 import BeautifulSoup

from policy_portal.importing.document_control import control_fields, date_in
from portal.cli import main
from tests.conftest import ROOT, copy_project
from tests.pdf_checkers import outloud_errors, pdf_ua_failures
from tests.word_documents import CONTROL, NUMBERING, add_numbering, clause, complaints_document, picture, png

BODY = """## 1. Introduction

1.1 We want to put things right when we get them wrong. **This matters.** *Tell us* as soon as you can.

1.2 Read the [Housing Ombudsman's Code](https://www.housing-ombudsman.example/code) for more.

## 2. How to complain

2.1 You can complain in any of these ways:

- by phone
- in writing
    - by letter
    - by email
- in person

2.2 We will reply within 10 working days.

## 3. Stages and response times

3.1 The table shows each stage.

| Stage | Who | Reply within |
| --- | --- | --- |
| Stage 1 | Complaints officer | 10 working days |
| Stage 2 | Head of service \\| panel | 20 working days |
"""
FRONT = """---
title: Complaints Policy
status: draft
version: '3'
owner: Head of Customer Services
approved_by: Board of Management
approval_date: 2024-05-21
review_due_date: 2027-05
equality_impact_assessment: 2024-04-09
document_control:
  Author: Customer Services Manager
  Applies to: All tenants and leaseholders
---

"""


def run(project: Path, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--project", str(project), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_writes_the_policy_file_and_says_what_it_left_out(project: Path, tmp_path: Path, capsys):
    """Not at a terminal, progress is a plain line a step on standard error; a summary ends it."""
    document = complaints_document(tmp_path / "Complaints.docx")
    code, out, err = run(project, capsys, "import", str(document), "--slug", "complaints-2024")
    assert err == "Word document: 1 of 1\nImages: 1 of 1\nPolicy file: 1 of 1\n"
    assert code == 0
    text = (project / "policies" / "complaints-2024.md").read_text(encoding="utf-8")
    assert text == FRONT + BODY + "\n![A chart of complaints by stage](images/complaints-2024/image-1.png)\n"
    image = project / "docs" / "policies" / "images" / "complaints-2024" / "image-1.png"
    assert image.read_bytes().startswith(b"\x89PNG")
    time_taken = re.search(r"Time taken: (\d+\.\d) seconds", out).group(1)
    assert out == (
        "Wrote policies/complaints-2024.md and 1 image in docs/policies/images/complaints-2024/.\n\n"
        "Not carried over; check these against the document:\n"
        "  - 1 comment left out (for example: 'Check this with the Ombudsman's Code'); deal with them "
        "in Word first, or in the pull request\n"
        "  - 2 tracked changes (1 inserted, 1 deleted) imported as if accepted; check the text against "
        "the document, or accept or reject them in Word and import again\n"
        "  - the page header left out: 'Larkfield Homes - OFFICIAL' (the site shows the association "
        "and policy itself)\n"
        "  - the subtitle 'Larkfield Homes' left out (the site shows the association's name)\n\n"
        "The document did not give: reference, category, summary.\n\n"
        "Run `policy-portal check`: it lists what is still to fill in, with the line of each.\n\n"
        "Imported Complaints.docx.\n  Written: 1 policy file, 1 image.\n  Warnings: 4, listed above.\n"
        f"  Time taken: {time_taken} seconds.\n")


def test_import_never_overwrites_a_file(project: Path, tmp_path: Path, capsys):
    document = complaints_document(tmp_path / "Complaints.docx")
    before = (project / "policies" / "complaints.md").read_text(encoding="utf-8")
    code, _, err = run(project, capsys, "import", str(document))  # named from its title: complaints
    assert code == 1
    assert err == ("Word document: 1 of 1\n"  # read, to find its title and so the file's name
                   "Nothing was imported: policies/complaints.md already exists, so nothing was "
                   "written; import under another --slug, or move the existing file first.\n")
    assert (project / "policies" / "complaints.md").read_text(encoding="utf-8") == before
    assert not (project / "docs" / "policies" / "images" / "complaints").exists()


def test_an_image_without_alt_text_is_named_by_import_and_refused_by_check(project: Path, tmp_path: Path,
                                                                          capsys):
    document = complaints_document(tmp_path / "Complaints.docx", alt_texts=("A chart", None),
                                   control=[*CONTROL[:4], ("Reference", "CS-09"),
                                            ("Category", "Customer service")])
    code, out, _ = run(project, capsys, "import", str(document), "--slug", "complaints-2024")
    assert code == 0
    assert ("Images without alt text (describe each in its square brackets):\n"
            "  - images/complaints-2024/image-2.png\n") in out
    path = project / "policies" / "complaints-2024.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", "summary: How to complain.\n---\n\n"),
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    code, _, err = run(project, capsys, "check")
    assert code == 1
    line = lines.index("![](images/complaints-2024/image-2.png)") + 1
    assert err == (
        f"1 problem in the policy files:\npolicies/complaints-2024.md:{line}: body: image "
        "'images/complaints-2024/image-2.png' has no alt text; describe it in the square brackets, as in "
        '![A cat on a sofa](cat.jpg), or mark a purely decorative image role="presentation"\n')


def test_a_file_that_is_not_a_word_document_is_refused(project: Path, tmp_path: Path, capsys):
    document = tmp_path / "Complaints.docx"
    document.write_text("not a Word document", encoding="utf-8")
    code, _, err = run(project, capsys, "import", str(document))
    assert code == 1
    assert err.startswith(f"Nothing was imported: {document} cannot be read as a Word document")
    assert "save it from Word as a .docx file (Word Document) and try again" in err


def test_an_earlier_version_is_written_beside_the_others_as_approved(project: Path, tmp_path: Path, capsys):
    (project / "policies" / "earlier-versions" / "complaints" / "2.md").unlink()
    document = complaints_document(tmp_path / "Complaints 2021.docx", alt_texts=(), extras=False,
                                   control=[("Version", "2"), ("Approved by", "Board of Management"),
                                            ("Date approved", "23/03/2021")])
    code, out, _ = run(project, capsys, "import", str(document), "--slug", "complaints",
                       "--earlier-version", "2")
    assert code == 0
    assert out.startswith("Wrote policies/earlier-versions/complaints/2.md.\n")
    text = (project / "policies" / "earlier-versions" / "complaints" / "2.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Complaints Policy\nstatus: approved\nversion: '2'\n"
                           "approved_by: Board of Management\napproval_date: 2021-03-23\n---\n\n"
                           "## 1. Introduction")
    code, _, err = run(project, capsys, "check")
    assert code == 1
    assert {line.split(": ")[1] for line in err.splitlines()[1:]} == {
        "reference", "category", "owner", "summary", "effective_date", "history", "review_cycle_years"}
    assert all(line.startswith("policies/earlier-versions/complaints/2.md:") for line in err.splitlines()[1:])


def test_an_earlier_version_needs_slug(project: Path, tmp_path: Path, capsys):
    code, _, err = run(project, capsys, "import", str(tmp_path / "Old.docx"), "--earlier-version", "1")
    assert code == 1
    assert err == "Give --slug with --earlier-version: the policy this is an earlier version of.\n"


@pytest.mark.parametrize(("text", "read"), [
    ("21 May 2024", "2024-05-21"), ("Completed 9th April 2024", "2024-04-09"), ("21/05/2024", "2024-05-21"),
    ("2024-05-21", "2024-05-21"), ("October 2024", "2024-10"), ("Sept 2025", "2025-09"),
    ("to be agreed", "None"), ("31/02/2024", "None")])
def test_dates_in_a_document_control_table(text: str, read: str):
    assert str(date_in(text)) == read


def test_rows_no_field_takes_are_kept_in_document_control_in_order():
    fields = control_fields([["Version:", "Version 3.1"], ["Review date", "to be agreed"],
                             ["Consultation", "Tenant Scrutiny Panel"], ["Lead officer", "Head of Housing"]])
    assert fields == {"version": "3.1", "owner": "Head of Housing",
                      "document_control": {"Review date": "to be agreed",
                                           "Consultation": "Tenant Scrutiny Panel"}}


def words(text: str) -> str:
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """Text without spaces: a PDF breaks a long web address across lines where it can."""
    return "".join(text.split())


def plain(line: str, *, printed_links: bool = False) -> str:
    """A line of the Markdown as a reader sees it; in a PDF, a link's address follows its text."""
    line = re.sub(r"^#+ |^\s*- |\*", "", line)
    return words(re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1 (\2)" if printed_links else r"\1", line))


@pytest.mark.usefixtures("warm_cache")
def test_an_imported_policy_builds_into_a_page_large_print_and_pdfs_with_everything_in_it(
        project: Path, tmp_path: Path, capsys):
    """Done when: import, fill in only what check asks for, and every paragraph, list item, table
    cell and the image is on the page, in large print and in both PDFs."""
    document = complaints_document(tmp_path / "Complaints.docx", extras=False)
    assert run(project, capsys, "import", str(document), "--slug", "complaints-2024")[0] == 0
    code, _, err = run(project, capsys, "check")
    assert code == 1
    asked = sorted(re.findall(r"^policies/complaints-2024\.md:\d+: (\w+): missing", err, re.MULTILINE))
    assert asked == ["category", "reference", "summary"]
    answers = {"category": "Customer service", "reference": "CS-09", "summary": "How to complain."}
    path = project / "policies" / "complaints-2024.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "---\n\n", "".join(f"{field}: {answers[field]}\n" for field in asked) + "---\n\n"), encoding="utf-8")
    assert run(project, capsys, "check")[0] == 0
    assert run(project, capsys, "build")[0] == 0
    site = project / "site" / "policies" / "complaints-2024"
    expected = [line for line in BODY.splitlines() if line and not line.startswith("| ---")]
    cells = [words(cell.replace("\\|", "|")) for line in expected if line.startswith("|")
             for cell in re.split(r"(?<!\\)\|", line.strip("|"))]
    for folder in (site, site / "large-print"):
        html = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
        content = html.find(id="policy") or html.find("article")
        shown = words(content.get_text(" "))
        for line in expected:
            if not line.startswith("|"):
                assert plain(line) in shown, (folder, line)
        assert [words(cell.get_text(" ")) for cell in content.find_all(["th", "td"])] == cells
        image = content.find("img", alt="A chart of complaints by stage")
        assert (folder / image["src"]).resolve().read_bytes().startswith(b"\x89PNG")
    for name in ("complaints-2024.pdf", "complaints-2024-large-print.pdf"):
        with pymupdf.open(site / name) as pdf:
            text = words(" ".join(page.get_text() for page in pdf))
            assert sum(len(page.get_images()) for page in pdf) == 1
        for line in expected:
            if not line.startswith("|"):
                assert squeezed(plain(line, printed_links=True)) in squeezed(text), (name, line)
        for cell in cells:
            assert squeezed(cell) in squeezed(text), (name, cell)
    pdfs = [site / "complaints-2024.pdf", site / "complaints-2024-large-print.pdf"]
    assert (pdf_ua_failures(pdfs), outloud_errors(pdfs)) == ({}, {})  # its image and table too


GUIDE = ROOT / "docs" / "staff" / "importing.md"
GUIDE_COMMANDS = [line for line in GUIDE.read_text(encoding="utf-8").splitlines()
                  if line.startswith("policy-portal import")]
README_COMMANDS = [line.split("#")[0].strip().removeprefix(".venv/bin/")
                   for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                   if line.startswith(".venv/bin/policy-portal import")]


@pytest.mark.parametrize("command", sorted({*GUIDE_COMMANDS, *README_COMMANDS}))
def test_every_import_command_in_the_guide_and_readme_works(command: str, tmp_path: Path, monkeypatch,
                                                            capsys):
    """Run as written, from the project folder, on a Word document of the name it gives, where the
    file it writes is not there yet (the example has each: the guide uses the example policy)."""
    project = copy_project(tmp_path / "project")
    args = shlex.split(command)[1:]
    slug = args[args.index("--slug") + 1] if "--slug" in args else "complaints"
    version = args[args.index("--earlier-version") + 1] if "--earlier-version" in args else None
    target = (project / "policies" / "earlier-versions" / slug / f"{version}.md" if version
              else project / "policies" / f"{slug}.md")
    target.unlink()
    complaints_document(project / args[1])
    monkeypatch.chdir(project)
    assert main(args) == 0
    assert capsys.readouterr().out.startswith(f"Wrote {target.relative_to(project)}")
    assert target.read_text(encoding="utf-8").startswith("---\ntitle: Complaints Policy\n")
    assert len(GUIDE_COMMANDS) == 3


def test_a_document_without_a_title_page_takes_its_title_from_the_first_heading(project: Path, tmp_path: Path,
                                                                                capsys):
    document = docx.Document()
    document.add_heading("Pets Policy", level=1)
    document.add_heading("Keeping a pet", level=2)
    document.add_paragraph("You may keep a pet * if we agree_.")
    document.add_heading("Dogs", level=3)
    document.add_paragraph("Ask us first.", style="List Number")
    document.add_paragraph("Keep it on a lead.", style="List Number")
    document.add_paragraph("1. Not a list, as typed.")
    document.save(tmp_path / "Pets.docx")
    code, out, _ = run(project, capsys, "import", str(tmp_path / "Pets.docx"), "--slug", "pets-2025")
    assert code == 0
    assert out.startswith("Wrote policies/pets-2025.md.\n")
    assert (project / "policies" / "pets-2025.md").read_text(encoding="utf-8") == (
        "---\ntitle: Pets Policy\nstatus: draft\n---\n\n## Keeping a pet\n\nYou may keep a pet \\* if we "
        "agree\\_.\n\n### Dogs\n\n1. Ask us first.\n2. Keep it on a lead.\n\n1\\. Not a list, as typed.\n")


def test_a_text_box_and_a_footer_are_listed_for_staff_to_check(project: Path, tmp_path: Path, capsys):
    document = docx.Document()
    document.add_heading("Rent Policy", level=1)
    paragraph = document.add_paragraph("We set rents each April.")
    paragraph._p.append(docx.oxml.parse_xml(
        f"<w:r {docx.oxml.ns.nsdecls('w')} xmlns:v=\"urn:schemas-microsoft-com:vml\">"
        "<w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>"
        "<w:t>Call us free on 0800 496 0750</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>"
        "</w:pict></w:r>"))
    document.sections[0].footer.paragraphs[0].text = "Rent Policy v2 - page 1"
    document.save(tmp_path / "Rent.docx")
    code, out, _ = run(project, capsys, "import", str(tmp_path / "Rent.docx"))
    assert code == 0
    assert ("  - the page footer left out: 'Rent Policy v2 - page 1' (the site shows the association and "
            "policy itself)\n  - 1 text box (for example: 'Call us free on 0800 496 0750') put where the box "
            "is anchored in the text; check that the text reads in order\n") in out
    assert "Call us free on 0800 496 0750" in (project / "policies" / "rent.md").read_text(encoding="utf-8")


def test_headings_numbered_by_their_style_keep_their_numbers(project: Path, tmp_path: Path, capsys):
    """Word's usual way: the multi-level list is linked to the Heading 1 style, not to each heading."""
    document = docx.Document()
    add_numbering(document)
    document.styles["Heading 1"].element.get_or_add_pPr().append(docx.oxml.parse_xml(
        f'<w:numPr {docx.oxml.ns.nsdecls("w")}><w:ilvl w:val="0"/>'
        f'<w:numId w:val="{NUMBERING}"/></w:numPr>'))
    document.add_paragraph("Rent Policy", style="Title")
    for section in ("Setting rents", "Service charges"):
        document.add_heading(section, level=1)
        clause(document, f"{section} are reviewed every year.")
        clause(document, "We write to you first.")
    document.save(tmp_path / "Rent.docx")
    assert run(project, capsys, "import", str(tmp_path / "Rent.docx"))[0] == 0
    assert (project / "policies" / "rent.md").read_text(encoding="utf-8").split("---\n\n")[1] == (
        "## 1. Setting rents\n\n1.1 Setting rents are reviewed every year.\n\n1.2 We write to you first.\n\n"
        "## 2. Service charges\n\n2.1 Service charges are reviewed every year.\n\n"
        "2.2 We write to you first.\n")


def _rewritten(path: Path, change) -> None:
    """The .docx at `path` with each part passed through `change(name, data) -> (name, data)`."""
    with zipfile.ZipFile(path) as archive:
        parts = [change(name, archive.read(name)) for name in archive.namelist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(name, data)


def test_an_svg_image_is_left_out_and_said(project: Path, tmp_path: Path, capsys):
    """An SVG can carry script that would run on the site's address where no CSP is sent."""
    (tmp_path / "map.png").write_bytes(png())
    document = docx.Document()
    document.add_heading("Estate Map Policy", level=1)
    document.add_paragraph("Our estates are shown below.")
    picture(document, tmp_path / "map.png", "A map of our estates")
    document.save(tmp_path / "Map.docx")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'

    def as_svg(name: str, data: bytes) -> tuple[str, bytes]:
        if name.startswith("word/media/"):
            return name.rsplit(".", 1)[0] + ".svg", svg
        if name == "[Content_Types].xml":
            return name, data.replace(b"<Default ", b'<Default Extension="svg" ContentType="image/svg+xml"/>'
                                      b"<Default ", 1)
        return name, data.replace(b".png", b".svg") if name.endswith(".rels") else data

    _rewritten(tmp_path / "Map.docx", as_svg)
    code, out, _ = run(project, capsys, "import", str(tmp_path / "Map.docx"))
    assert code == 0
    assert "An image in a format the site does not publish (image/svg+xml) was left out" in out
    assert not list(project.rglob("*.svg"))
    assert "![" not in (project / "policies" / "estate-map.md").read_text(encoding="utf-8")


def test_a_document_that_unpacks_too_large_is_refused_plainly(project: Path, tmp_path: Path, capsys):
    document = docx.Document()
    document.add_paragraph("Rent Policy")
    document.save(tmp_path / "Rent.docx")
    with zipfile.ZipFile(tmp_path / "Rent.docx", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(101 * 1024 * 1024))  # compresses to ~100 KB
    code, _, err = run(project, capsys, "import", str(tmp_path / "Rent.docx"))
    assert code == 1
    assert "unpacks to more than 100 MB, more than a policy needs" in err
    assert "Traceback" not in err and not (project / "policies" / "rent.md").exists()


def test_a_part_word_did_not_write_is_refused_plainly(project: Path, tmp_path: Path, capsys):
    document = docx.Document()
    document.add_paragraph("Rent Policy")
    document.save(tmp_path / "Rent.docx")
    entity = (b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')

    def with_entity(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "word/document.xml":
            return name, data.replace(b"?>", b"?>" + entity, 1).replace(b"Rent Policy", b"&xxe;")
        return name, data

    _rewritten(tmp_path / "Rent.docx", with_entity)
    code, _, err = run(project, capsys, "import", str(tmp_path / "Rent.docx"))
    assert code == 1
    assert "has a part Word did not write" in err and "save it again as a .docx file" in err
    assert "root:" not in err and not (project / "policies" / "rent.md").exists()
