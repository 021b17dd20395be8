"""Property-based tests (Hypothesis): whatever text arrives, the policy reader answers with
file-and-line problems or a policy, and every form (comment, sign-in, moderation, response)
answers with a page, never a crash: random Unicode, bytes, NULs, enormous and repeated fields."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from consultation import context
from consultation.models import Comment
from policy_portal.problems import PolicyError
from policy_portal.reading.library import load_library
from tests.consultation_pages import GOOD, PETS, SECTION, comment, form_for, soup
from tests.test_staff import add_staff, sign_in

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
ENORMOUS = st.integers(5001, 20000).map(lambda size: "\N{CAT FACE}ä\x00" * (size // 3))
"""Longer than any field allows, in four-, two- and one-byte characters and NUL."""
FIELDS = ["respondent_type", "name", "email", "comment", "suggested_wording", "may_publish", "website",
          "submission"]
PATIENT = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@PATIENT
@given(front=ANY_TEXT, body=ANY_TEXT)
def test_any_policy_file_gives_a_policy_or_problems_with_file_and_line(tmp_path_factory, front, body):
    folder = tmp_path_factory.mktemp("policies")
    (folder / "complaints.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    try:
        load_library(folder)
    except PolicyError as error:
        assert error.problems
        assert all(problem.path.endswith("complaints.md") and problem.line >= 0 for problem in error.problems)


@PATIENT
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_problems_not_a_crash(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("policies")
    (folder / "complaints.md").write_bytes(raw)
    try:
        load_library(folder)
    except PolicyError as error:
        assert error.problems


@PATIENT
@given(values=st.fixed_dictionaries({}, optional={name: st.one_of(ANY_TEXT, ENORMOUS) for name in FIELDS}))
def test_any_form_content_gets_a_page_never_a_server_error(client, values):
    action, hidden = form_for(soup(client.get(PETS)), SECTION)
    data = {**hidden, **{f"{SECTION}-{name}": value for name, value in values.items()}}
    response = client.post(action, data=data)
    assert response.status_code in (303, 400, 413), response.status_code


VALUES = st.lists(st.one_of(ANY_TEXT, ENORMOUS), min_size=1, max_size=3)
"""One field's values: sometimes several, as a form with a field given twice sends them."""


def posted(prefix: str, names: list[str]):
    return st.fixed_dictionaries({}, optional={f"{prefix}{name}": VALUES for name in names})


@PATIENT
@given(values=posted("", ["email", "password", "next"]))
def test_any_sign_in_form_gets_a_page_never_a_server_error(client, values):
    token = soup(client.get("/staff/sign-in")).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/staff/sign-in", data=MultiDict([("csrf_token", token), *_pairs(values)]))
    assert response.status_code in (303, 400, 413), response.status_code


@PATIENT
@given(values=st.one_of(posted("moderate-", ["action", "public_body", "public_wording", "reason"]),
                        posted("respond-", ["outcome", "explanation", "section"])))
def test_any_moderation_form_gets_a_page_never_a_server_error(app, client, values):
    """The first example sends a comment and signs `client` in as a moderator for every example:
    a sign-in is a deliberately slow password check, and no moderation form signs anyone out."""
    if not stored_comment_id(app):
        comment(client, **GOOD)
        add_staff(app)
        sign_in(client)
    address = f"/staff/comments/{stored_comment_id(app)}"
    page = soup(client.get(address))
    tokens = [(field["name"], field["value"]) for field in page.find_all("input", attrs={"type": "hidden"})
              if field["name"].endswith("csrf_token")]
    response = client.post(address, data=MultiDict([*tokens, *_pairs(values)]))
    assert response.status_code in (303, 400, 413), response.status_code


def _pairs(values: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, several in values.items() for value in several]


def stored_comment_id(app) -> int | None:
    with app.app_context():
        return context.database().scalar(select(Comment.id).limit(1))
