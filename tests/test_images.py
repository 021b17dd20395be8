"""Images in policies: where their files go (docs/policies/images/<slug>/, as the staff guide
says), that the page, the large-print page and both PDFs show them, and that `check` refuses one
without alt text with its file and line, as the build does."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from bs4 import BeautifulSoup

from portal.cli import main
from tests.word_documents import png

IMAGE = "![A dog on a lead in a shared garden](images/pets/dog.png)"


def add_line(project: Path, line: str) -> int:
    """Add `line` at the end of the pets policy; the number of the line it is on."""
    path = project / "policies" / "pets.md"
    text = path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{line}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.splitlines())


def test_check_names_the_file_and_line_of_an_image_without_alt_text(project: Path, capsys):
    line = add_line(project, "![](images/pets/dog.png)")
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err == (
        f"1 problem in the policy files:\npolicies/pets.md:{line}: body: image 'images/pets/dog.png' has "
        "no alt text; describe it in the square brackets, as in ![A cat on a sofa](cat.jpg), or mark a "
        'purely decorative image role="presentation"\n')


@pytest.mark.usefixtures("warm_cache")
def test_an_image_where_the_guide_says_is_on_the_page_in_large_print_and_in_both_pdfs(project: Path):
    folder = project / "docs" / "policies" / "images" / "pets"
    folder.mkdir(parents=True)
    (folder / "dog.png").write_bytes(png(40, 30))
    add_line(project, IMAGE)
    welsh = project / "policies" / "complaints.cy.md"  # a translation shows the same picture
    welsh.write_text(welsh.read_text(encoding="utf-8") + f"\n{IMAGE}\n", encoding="utf-8")
    assert main(["--project", str(project), "build"]) == 0
    pets = project / "site" / "policies" / "pets"
    cymraeg = project / "site" / "cy" / "policies" / "complaints"
    for page in (pets, pets / "large-print", cymraeg, cymraeg / "large-print"):
        html = BeautifulSoup((page / "index.html").read_text(encoding="utf-8"), "html.parser")
        image = html.find("img", alt="A dog on a lead in a shared garden")
        assert (page / image["src"]).resolve() == (project / "site" / "policies" / "images" / "pets" /
                                                   "dog.png")
        assert (page / image["src"]).read_bytes() == (folder / "dog.png").read_bytes()
    for name in ("pets.pdf", "pets-large-print.pdf"):
        with pymupdf.open(pets / name) as pdf:
            assert [image[2:4] for page in pdf for image in page.get_images()] == [(40, 30)]


@pytest.mark.parametrize("cat", [["![A cat asleep on a chair](images/pets/cat.png)"],
                                 ["![A cat asleep on a chair][cat]", "[Cat]: images/pets/cat.png"]],
                         ids=["inline", "by reference"])
def test_check_names_a_picture_whose_file_is_not_there(project: Path, capsys, cat: list[str]):
    """The build would stop at it too, but only after minutes and in MkDocs' words. A picture
    whose address is given by reference is named on the line that shows it."""
    add_line(project, IMAGE)
    line = add_line(project, cat[0])
    for definition in cat[1:]:
        add_line(project, definition)
    (project / "docs" / "policies" / "images" / "pets").mkdir(parents=True)
    (project / "docs" / "policies" / "images" / "pets" / "dog.png").write_bytes(png(40, 30))
    capsys.readouterr()
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err == (
        f"1 problem in the policy files:\npolicies/pets.md:{line}: image: 'images/pets/cat.png' is not "
        "there; put the picture in docs/policies/images/pets/cat.png or correct the address\n")
