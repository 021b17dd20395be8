"""The two independent PDF/UA-1 checkers, over many PDFs at once: page-validation (built against
the veraPDF test corpus) and outloud (PDF/UA-1 plus what a validator cannot see: page numbers
tagged as text, addresses printed but not linked, a table split into two)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import page


def pdf_ua_failures(paths: list[Path]) -> dict[str, list[str]]:
    """page-validation's PDF/UA-1 failures, by file; empty when every file passes."""
    failures = {}
    for path in paths:
        report = page.validate_pdf(str(path), profile=page.ValidationProfile.PDF_UA_1)
        if not report.is_compliant:
            failures[str(path)] = [f"{failure.rule_id}: {failure.message}" for failure in report.failures]
    return failures


def outloud_errors(paths: list[Path]) -> dict[str, list[str]]:
    """outloud's errors, by file (its warnings are heuristics, for the notes); raises if it did
    not report on every file."""
    run = subprocess.run([str(Path(sys.executable).parent / "outloud"), *map(str, paths), "--json", "-"],
                         capture_output=True, text=True, check=False)
    results = json.loads(run.stdout)["results"]
    errors = {result["path"]: [finding["message"] for finding in result["findings"]
                               if finding["severity"] == "error"] or [result["error"]]
              for result in results if result["counts"]["error"] or result["error"]}
    assert (run.returncode == 0) == (not errors) and len(results) == len(paths), run.stderr
    return errors
