"""Tagged PDF/UA-1 files from HTML, made with WeasyPrint, in parallel, and only when needed.

Each PDF is kept in a cache folder under a hash of everything that goes into it (the HTML, the
stylesheet, the WeasyPrint version), so a build makes PDFs only for policies that changed, and
a policy changed back reuses its old file. The PDFs that are missing are made in worker
processes, one per core: WeasyPrint is pure Python and holds the GIL.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf

VARIANT = "pdf/ua-1"
RENDERING = "2"
"""Change this when _render changes what it writes, so cached PDFs are made again."""


@dataclass(frozen=True)
class PdfJob:
    html: str
    stylesheet: Path
    base_url: str
    """Where relative links in the HTML point, since a PDF has no address of its own."""

    def key(self) -> str:
        digest = hashlib.sha256()
        stylesheet = self.stylesheet.read_text("utf-8")
        for part in (version("weasyprint"), RENDERING, VARIANT, self.base_url, stylesheet, self.html):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class PdfResult:
    path: Path
    made: bool
    """False when the cached file was used."""


def make_pdfs(jobs: list[PdfJob], cache: Path, workers: int | None = None) -> list[PdfResult]:
    """One PDF per job, in order, from the cache or made now in parallel."""
    cache.mkdir(parents=True, exist_ok=True)
    targets = [cache / f"{job.key()}.pdf" for job in jobs]
    missing = [(job, target) for job, target in zip(jobs, targets, strict=True) if not target.exists()]
    if len(missing) == 1:
        _render(*missing[0])
    elif missing:
        workers = min(len(missing), workers or os.cpu_count() or 1)
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_render, *zip(*missing, strict=True)))
    made = {target for _, target in missing}
    return [PdfResult(target, target in made) for target in targets]


_fonts = None


def _render(job: PdfJob, target: Path) -> None:
    """Write one PDF, atomically: a half-written file must never be taken for a cached one."""
    global _fonts  # one font configuration per process, as WeasyPrint recommends
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    _fonts = _fonts or FontConfiguration()
    partial = target.with_suffix(f".{os.getpid()}.partial")
    stylesheet = CSS(filename=str(job.stylesheet), font_config=_fonts)
    document = HTML(string=job.html, base_url=job.base_url).write_pdf(
        stylesheets=[stylesheet], font_config=_fonts, pdf_variant=VARIANT)
    with pikepdf.open(io.BytesIO(document)) as pdf:
        _scope_header_cells(pdf.Root.StructTreeRoot)
        pdf.save(partial)
    partial.replace(target)


def _scope_header_cells(element: pikepdf.Object) -> None:
    """WeasyPrint tags <th> as /TH but leaves out its scope; PDF/UA wants it (rule 15-003), and
    our tables' header cells all head columns."""
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if not isinstance(kid, pikepdf.Dictionary):
            continue
        if kid.get("/S") == "/TH":
            attributes = kid.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                kid.A = attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
            attributes.Scope = pikepdf.Name.Column
        _scope_header_cells(kid)
