"""Property-based tests (Hypothesis): whatever text arrives, the policy reader answers with
file-and-line problems or a policy, and the comment form answers with a page, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_portal.library import load_library
from policy_portal.problems import PolicyError
from tests.consultation_pages import PETS, SECTION, form_for, soup

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
