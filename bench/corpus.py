"""A corpus of realistic policies for benchmarks, the same every time for a given seed.

Each policy has front matter like the examples, 8 numbered sections of 3 to 6 clauses, a table,
a version history of 1 to 3 versions and related policies; one is a draft under consultation.
Every policy in force has three translations, into the site's Welsh, Polish and Arabic: the same
text word for word from a small dictionary, so each language has its own words (and Arabic its
own script, which costs more to lay out in PDFs); one translation in ten is out of date.

Run: python bench/corpus.py FOLDER [--policies 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("mkdocs.yml", "docs", "hooks", "overrides")
WORDS = [
    "tenant", "home", "repair", "rent", "neighbour", "report", "staff", "service", "complaint",
    "safety", "visit", "notice", "support", "decision", "review", "board", "panel", "resident",
    "estate", "garden", "parking", "waste", "noise", "damp", "heating", "window", "door", "contact",
    "record", "respond", "week", "month", "day", "request", "permission", "agreement", "payment",
    "charge"
]
TRANSLATIONS = {
    "cy": "tenant cartref atgyweirio rhent cymydog adroddiad staff gwasanaeth cwyn diogelwch ymweliad "
          "hysbysiad cymorth penderfyniad adolygiad bwrdd panel preswylydd ystad gardd parcio gwastraff "
          "sŵn lleithder gwres ffenestr drws cysylltu cofnod ymateb wythnos mis diwrnod cais caniatâd "
          "cytundeb taliad tâl",
    "pl": "najemca dom naprawa czynsz sąsiad zgłoszenie personel usługa skarga bezpieczeństwo wizyta "
          "zawiadomienie wsparcie decyzja przegląd zarząd panel mieszkaniec osiedle ogród parking odpady "
          "hałas wilgoć ogrzewanie okno drzwi kontakt rejestr odpowiedź tydzień miesiąc dzień wniosek zgoda "
          "umowa płatność opłata",
    "ar": "مستأجر منزل إصلاح إيجار جار بلاغ موظفون خدمة شكوى سلامة زيارة إشعار دعم قرار مراجعة مجلس لجنة "
          "ساكن مجمع حديقة موقف نفايات ضوضاء رطوبة تدفئة نافذة باب تواصل سجل رد أسبوع شهر يوم طلب إذن "
          "اتفاق دفعة رسوم",
}
"""Each language's word for each of WORDS, in the same order."""
CATEGORIES = ["Customer service", "Governance", "Housing management", "Property", "Tenant involvement"]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def _history(rng: random.Random, versions: int) -> str:
    return "".join(f'\n  - version: "{version}"\n    date: {_date(version)}\n'
                   f"    approved_by: Board of Management\n    changes: {sentence(rng)}"
                   for version in range(1, versions + 1))


def _date(version: int) -> str:
    return f"{2018 + 2 * version}-0{version + 2}-1{version}"


def policy(number: int, total: int, rng: random.Random, draft: bool) -> str:
    versions = rng.randint(1, 3)
    history = _history(rng, versions)
    related = sorted({f"policy-{rng.randint(1, total):03d}" for _ in range(2)} - {f"policy-{number:03d}"})
    head = [f"title: Policy {number:03d} on {rng.choice(WORDS)} and {rng.choice(WORDS)}",
            f"reference: BP-{number:03d}", f"category: {rng.choice(CATEGORIES)}",
            f"owner: Head of {rng.choice(WORDS).title()}", f"summary: {sentence(rng)} {sentence(rng)}",
            f"related: [{', '.join(related)}]"]
    if draft:
        head += ["status: consultation", f'version: "{versions + 1}"', f"history:{history}",
                 "consultation:\n  opens: 2026-11-09\n  closes: 2026-12-21\n"
                 "  audiences: [public, tenants, panel]"]
    else:
        head += ["status: approved", f'version: "{versions}"', "approved_by: Board of Management",
                 f"approval_date: {_date(versions)}", f"effective_date: {_date(versions)}",
                 "review_cycle_years: 3", f"history:{history}"]
    sections = []
    for section in range(1, 9):
        clauses = [f"{section}.{clause} {sentence(rng)} {sentence(rng)}"
                   for clause in range(1, rng.randint(4, 7))]
        title = f"## {section}. {rng.choice(WORDS).title()} and {rng.choice(WORDS)}"
        sections.append(title + "\n\n" + "\n\n".join(clauses))
    rows = [f"| {stage} | {rng.choice(WORDS)} | {rng.randint(2, 20)} days |" for stage in (1, 2, 3)]
    sections.insert(3, "| Stage | Who | How long |\n| --- | --- | --- |\n" + "\n".join(rows))
    return "---\n" + "\n".join(head) + "\n---\n\n" + "\n\n".join(sections) + "\n"


def translation(english: str, code: str, stale: bool) -> str:
    """The policy word for word in language `code`, translating its latest version or, if
    `stale`, the one before (a policy with one version cannot have a stale translation)."""
    words = dict(zip(WORDS, TRANSLATIONS[code].split(), strict=True))
    head, body = english.split("\n---\n", 1)
    fields = dict(line.split(": ", 1) for line in head.splitlines() if line.startswith(("title:", "summary:",
                                                                                       "version:")))
    version = int(fields["version"].strip('"'))
    version = version - 1 if stale and version > 1 else version

    def translate(text: str) -> str:
        return re.sub(r"[a-z]+", lambda match: words.get(match.group(0), match.group(0)), text.lower())

    return (f"---\ntitle: {translate(fields['title'])}\nsummary: {translate(fields['summary'])}\n"
            f'translates_version: "{version}"\ntranslated_by: Bench Translations Ltd\n'
            f"translated_on: {_date(version)}\n---\n{translate(body)}")


def write_corpus(folder: Path, policies: int = 100, seed: int = 1, translated: bool = True) -> Path:
    """A project folder (site sources from this repository, generated policies and, if
    `translated`, their translations) at `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / name)
    (folder / "policies").mkdir()
    for number in range(1, policies + 1):
        draft = number == policies
        text = policy(number, policies, rng, draft=draft)
        (folder / "policies" / f"policy-{number:03d}.md").write_text(text, encoding="utf-8")
        for code in TRANSLATIONS if translated and not draft else ():
            (folder / "policies" / f"policy-{number:03d}.{code}.md").write_text(
                translation(text, code, stale=number % 10 == 0), encoding="utf-8")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    write_corpus(options.folder, options.policies, options.seed)
    print(f"Wrote {options.policies} policies and their translations to {options.folder}.")
