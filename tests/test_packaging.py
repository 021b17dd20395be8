"""The wheel carries every file the portal needs, not only its Python.

A wheel once left out the gettext catalogues, and nothing failed: installed from it, every Welsh,
Polish and Arabic phrase fell back to English. So this builds the wheel as a release would,
installs it into a fresh virtual environment, and builds a Welsh page with it. What runs in the
fresh environment runs without the caller's PYTHON* settings (tests run as `PYTHONPATH=$PWD
python -m pytest` once imported the portal from this checkout there, and failed), the import
check also in isolated mode (`-I`, so not from the current folder): only the wheel supplies it.
"""

from __future__ import annotations

import os
import shutil
import site as python_site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from policy_portal.project import CACHE
from tests.conftest import ROOT, copy_project

NEEDED = [
    "policy_portal/config/locales/cy.po",
    "policy_portal/config/locales/pl.po",
    "policy_portal/config/locales/ar.po",
    "policy_portal/formats/print.typ",
    *(f"policy_portal/pages/templates/{template.name}"
      for template in sorted((ROOT / "policy_portal" / "pages" / "templates").iterdir())),
    "consultation/templates/base.html",
    "consultation/migrations/env.py",
    "consultation/migrations/versions/0001_comments_and_panel_invitations.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the files git knows, as from a fresh clone: a build in this checkout
    could pick up files an earlier build or the editable install left behind."""
    source, folder = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(folder), str(source)], check=True, capture_output=True)
    return next(folder.glob("policy_portal-*.whl"))


def test_the_wheel_carries_catalogues_templates_migrations_and_the_pdf_layout(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in NEEDED if name not in names] == []
    assert {name for name in names if name.startswith("consultation/static/")}


def test_a_wheel_install_builds_welsh_pages_in_welsh(wheel: Path, tmp_path: Path, site: Path):
    """`site` first: its build fills the PDF cache this build reuses, so only the pages are made."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    fresh_site_packages = next((environment / "lib").glob("python3*/site-packages"))
    # The wheel's dependencies come from the test environment's own folder, added after the fresh
    # environment's: the portal itself must come from the wheel, never from this checkout.
    (fresh_site_packages / "dependencies.pth").write_text(python_site.getsitepackages()[0] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python"), "install",
                    "--quiet", "--no-deps", str(wheel)], env=clean, check=True, capture_output=True)
    project = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / CACHE, project / CACHE)
    where = subprocess.run([str(environment / "bin" / "python"), "-I", "-c",
                            "import policy_portal; print(policy_portal.__file__)"],
                           cwd=project, env=clean, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(fresh_site_packages))
    subprocess.run([str(environment / "bin" / "policy-portal"), "--project", str(project), "build"],
                   cwd=project, env=clean, capture_output=True, text=True, check=True)
    page = BeautifulSoup((project / "site" / "cy" / "policies" / "complaints" / "index.html").read_text(
        encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "cy"
    assert "Am y polisi hwn" in page.get_text()
    assert "About this policy" not in page.get_text()
