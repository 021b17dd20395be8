"""The benchmark corpus is valid, realistic in shape and the same every time for a seed, so the
build figures measure the portal rather than a corpus that fails or changes between runs."""

from __future__ import annotations

from pathlib import Path

from bench.corpus import write_corpus
from policy_portal.project import load_project
from policy_portal.reading.policy import Status


def test_the_corpus_loads_with_three_translations_of_every_policy_in_force(tmp_path: Path):
    project = write_corpus(tmp_path / "corpus", policies=12)
    library = load_project(project).library
    assert len(library.policies) == 12
    assert [policy.slug for policy in library.with_status(Status.CONSULTATION)] == ["policy-012"]
    for policy in library:
        expected = set() if policy.is_draft else {"cy", "pl", "ar"}
        assert set(library.translations.get(policy.slug, {})) == expected, policy.slug
    assert {translation.slug for translation in library.stale_translations()} == {"policy-010"}
    arabic = library.translation("policy-001", "ar")
    assert "شكوى" in arabic.body or "منزل" in arabic.body


def test_the_corpus_is_the_same_for_a_seed(tmp_path: Path):
    first = write_corpus(tmp_path / "a", policies=4, seed=7) / "policies"
    second = write_corpus(tmp_path / "b", policies=4, seed=7) / "policies"
    other = write_corpus(tmp_path / "c", policies=4, seed=8) / "policies"
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(first.iterdir())}
    assert texts == {path.name: path.read_text(encoding="utf-8") for path in sorted(second.iterdir())}
    assert texts != {path.name: path.read_text(encoding="utf-8") for path in sorted(other.iterdir())}
