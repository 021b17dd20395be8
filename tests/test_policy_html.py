"""What a policy's text may contain: everything Markdown and the site's extensions make, and
nothing that could run a script, hide text or send readers' answers elsewhere.

Each refused example is added to a valid approved policy after its first section, on line 28, and
`load_library` must name that file and line; the build and `policy-portal check` must fail with
the same message. Translations are checked the same way (tests/test_translations.py).
"""

from __future__ import annotations

import pytest

from portal.cli import main
from portal.site import SiteBuildError, build_site
from tests.test_validation import BODY, load_one, problems, write_policy

LINE = "policies/complaints.md:28: body: "
RUNS = "it would run a program in readers' browsers; remove it"
HIDES = "it can hide text from readers or change how the page looks; remove it"
GUIDE = "docs/staff/policy-format.md#what-a-policy-may-contain"
INSTEAD = "link to an https://, mailto: or tel: address, or to a policy by its file name"
SCRIPT_ADDRESS = ("the address 'javascript:alert(1)' is not allowed: it runs a program instead of opening "
                  f"a page; {INSTEAD}")
EMBEDS = "it shows another website or program inside the page; link to it instead"
SENDS = "it could send what readers type to another website; link to the form instead"
COMMENT = ("an HTML comment (<!-- -->) with '>' in it is not allowed: a browser could end the comment there "
           "and show or run what follows; take the '>' out")


def refused(tmp_path, text: str) -> list[str]:
    """The problems with a policy whose first section is followed by `text`, from line 28."""
    write_policy(tmp_path, body=f"{BODY}\n{text}\n")
    return problems(tmp_path)


@pytest.mark.parametrize(("text", "messages"), [
    ("<script>alert(1)</script>", [f"<script> is not allowed in a policy: {RUNS}"]),
    ("<SCRIPT SRC=https://example.org/x.js></SCRIPT>", [f"<script> is not allowed in a policy: {RUNS}"]),
    ("A photo: <img src=x onerror=alert(1)>", [f"'onerror' on <img> is not allowed: {RUNS}"]),
    ("<svg onload=alert(1)>", [f"<svg> is not allowed in a policy; use Markdown instead (see {GUIDE})"]),
    ('<a href="javascript:alert(1)">our form</a>', [SCRIPT_ADDRESS]),
    ("[our form](javascript:alert(1))", [SCRIPT_ADDRESS]),
    ('<a href="jav&#x09;ascript:alert(1)">our form</a>', [SCRIPT_ADDRESS]),
    ("[our form](jav&#x09;ascript:alert(1))", [SCRIPT_ADDRESS]),
    ("<a href=' JaVaScRiPt:alert(1)'>our form</a>", [
        f"the address 'JaVaScRiPt:alert(1)' is not allowed: it runs a program instead of opening a page; "
        f"{INSTEAD}"]),
    ("[our form](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", [
        "the address 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' is not allowed: it can "
        f"carry a whole hidden page or program in the address itself; {INSTEAD}"]),
    ('<iframe src="https://example.org/"></iframe>', [f"<iframe> is not allowed in a policy: {EMBEDS}"]),
    ('<form action="https://example.org/">Password: <input name="password"></form>', [
        f"<form> is not allowed in a policy: {SENDS}", f"<input> is not allowed in a policy: {SENDS}"]),
    ('<div style="display:none">We may end your tenancy without notice.</div>', [
        f"<div> is not allowed in a policy; use Markdown instead (see {GUIDE})"]),
    ("<style>.clause { display: none }</style>", [f"<style> is not allowed in a policy: {HIDES}"]),
    ('## Contact us {: onclick="alert(1)" }', [f"'onclick' on <h2> is not allowed: {RUNS}"]),
    ("<!--><script>alert(1)</script>-->", [COMMENT]),
    ("Our <!--><img src=x onerror=alert(1)>--> office", [COMMENT]),
    ("<!-- a note --!><script>alert(1)</script>-->", [f"<script> is not allowed in a policy: {RUNS}"]),
    ("<p>Our <img src=x onerror=alert(1)", [
        "'<img src=x onerror=alert(1)' is HTML that is unfinished or cannot be read; remove it, or write "
        "&lt; for a less-than sign",
        "<p> is opened and never closed; add </p> where it should end, or write it in Markdown"]),
    ("<blockquote>", ["<blockquote> is opened and never closed; add </blockquote> where it should end, "
                      "or write it in Markdown"]),
    ("Text</em> here.", ["</em> closes an element that is not open here; remove it, or open the <em> "
                         "before it"]),
    ("## Questions {#bad\"id}", ["the link name 'bad\"id' may hold only letters, digits, - and _; write it "
                                 "without other characters"]),
])
def test_what_could_run_a_script_or_hide_text_is_refused_on_its_line(tmp_path, text, messages):
    assert refused(tmp_path, text) == [LINE + message for message in messages]


@pytest.mark.parametrize(("attributes", "message"), [
    ('{: style="display:none" }', f"'style' on <p> is not allowed: {HIDES}"),
    ("{: .visually-hidden }", "class 'visually-hidden' on <p> is not allowed: the site's own classes can "
                              "hide text or make it look like one of the site's notices; remove it"),
])
def test_an_attribute_list_is_refused_on_its_own_line(tmp_path, attributes, message):
    assert refused(tmp_path, f"We may end your tenancy without notice.\n{attributes}") == [
        f"policies/complaints.md:29: body: {message}"]


def test_a_link_name_is_refused_where_its_address_is_given(tmp_path):
    """[our form][form] on line 28 uses the address given on line 30, which is what to change."""
    assert refused(tmp_path, "Use [our form][form].\n\n[form]: javascript:alert(1)") == [
        f"policies/complaints.md:30: body: {SCRIPT_ADDRESS}"]


def test_an_unused_link_name_is_refused_too(tmp_path):
    """On the site the summary is made into HTML with the text, so it could use the name."""
    assert refused(tmp_path, "[form]: javascript:alert(1)") == [LINE + SCRIPT_ADDRESS]


def test_every_refusal_is_listed_each_on_its_own_line(tmp_path):
    text = "<script>one()</script>\n\nSome text.\n\n<script>two()</script> and [a form](javascript:alert(1))"
    assert refused(tmp_path, text) == [
        f"policies/complaints.md:28: body: <script> is not allowed in a policy: {RUNS}",
        f"policies/complaints.md:32: body: <script> is not allowed in a policy: {RUNS}",
        f"policies/complaints.md:32: body: {SCRIPT_ADDRESS}",
    ]


def test_the_summary_may_contain_only_what_the_text_may(tmp_path):
    """The page puts the summary, as Markdown, above the text."""
    write_policy(tmp_path, summary="How to complain. <img src=x onerror=alert(1)>")
    assert problems(tmp_path) == [
        f"policies/complaints.md:8: summary: 'onerror' on <img> is not allowed: {RUNS}"]


def test_a_title_cannot_hold_a_tag(tmp_path):
    """The theme writes the title into every page as it is, and unescapes it in <title>, so
    escaping it would not help: `x</title><script>` would still end the title and run."""
    write_policy(tmp_path, title='"Complaints </title><script>alert(1)</script>"')
    assert problems(tmp_path) == [
        "policies/complaints.md:2: title: a title is plain text and cannot contain < or >; "
        "write it without them"]


def test_everything_markdown_and_the_sites_extensions_make_is_allowed(tmp_path):
    text = "\n".join([
        "### Response times {#response-times}", "",
        "| Stage | Days |", "| :-- | --: |", "| 1 | 10 |", "",
        "```yaml", "title: Complaints Policy", "```", "",
        "2.1 A clause with **bold**, *emphasis*, `code` and a line  ", "break<br>.", "",
        "> A quotation.", "", "---", "",
        "- [Our complaints form](https://www.larkfield-housing.example/complaint-form)",
        "- [Email us](mailto:policies@larkfield-housing.example) or [phone us](tel:+441134960750)",
        "- [The pets policy](pets.md#clause-3-2), [this section](#response-times), <https://example.org>",
        "", "1. ![A cat on a sofa](cat.jpg \"Our office cat\")", "",
        "<!-- A note for staff: check these times with the Housing Ombudsman's Code each year. -->",
    ])
    write_policy(tmp_path, body=f"{BODY}\n{text}\n")
    assert "Our office cat" in load_one(tmp_path).body


SCRIPT_PROBLEM = f"policies/complaints.md:{{line}}: body: <script> is not allowed in a policy: {RUNS}"


def add_script(project) -> str:
    """Put a script after the first clause of the example complaints policy; the problem it causes."""
    path = project / "policies" / "complaints.md"
    text = path.read_text(encoding="utf-8")
    clause = "1.1 We want to get things right first time."
    assert clause in text
    path.write_text(text.replace(clause, f"<script>alert(1)</script>\n\n{clause}", 1), encoding="utf-8")
    return SCRIPT_PROBLEM.format(line=text.splitlines().index("## 1. Introduction") + 3)


def test_check_refuses_a_script_in_the_example_content(project, capsys):
    problem = add_script(project)
    assert main(["--project", str(project), "check"]) == 1
    assert capsys.readouterr().err == f"1 problem in the policy files:\n{problem}\n"


def test_the_build_refuses_a_script_in_the_example_content(project):
    problem = add_script(project)
    with pytest.raises(SiteBuildError) as caught:
        build_site(project / "mkdocs.yml", project / "site")
    assert problem in str(caught.value).splitlines()
    assert not (project / "site").exists()


def test_a_what_you_told_us_summary_may_contain_only_what_the_text_may(tmp_path):
    """It goes on its policy's page as Markdown, below the text."""
    write_policy(tmp_path)
    told_us = tmp_path / "policies" / "what-you-told-us"
    told_us.mkdir()
    (told_us / "complaints.md").write_text("We asked.\n\n<script>alert(1)</script>\n", encoding="utf-8")
    assert problems(tmp_path) == [
        f"policies/what-you-told-us/complaints.md:3: text: <script> is not allowed in a policy: {RUNS}"]


@pytest.mark.parametrize(("body_end", "message"), [
    ("<blockquote>", "policies/complaints.md:28: body: <blockquote> is opened and never closed; add "
                     "</blockquote> where it should end, or write it in Markdown"),
    ("```", "policies/complaints.md:28: body: a code block is opened with ``` or ~~~ and never closed: on "
            "the page it would take in what the site puts after it; close it with the same line, or "
            "remove it"),
])
def test_a_text_cannot_leave_open_what_would_swallow_the_summary_after_it(tmp_path, body_end, message):
    """Found in a third attack: a policy ending in an open <blockquote> (or code fence) turned the
    "What you told us" summary's code, text in its own file, into HTML on the page: a meta refresh
    away from the site, and a script on the large-print page."""
    write_policy(tmp_path, body=f"{BODY}\n{body_end}\n")
    told_us = tmp_path / "policies" / "what-you-told-us"
    told_us.mkdir()
    (told_us / "complaints.md").write_text(
        'Also `<meta http-equiv="refresh" content="0;url=https://evil.example/">`.\n', encoding="utf-8")
    assert problems(tmp_path) == [message]
