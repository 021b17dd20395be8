"""Tagged PDF/UA-1 files from Typst sources, made only when needed.

Each PDF is kept in a cache folder under a hash of everything that goes into it (the Typst
source, which holds the layout and the text; the images it shows; the Typst version, with the
fonts built into it; the font files it finds on the machine, which it embeds; this module's
rendering version), so a build makes PDFs only for policies that changed, and a policy
changed back reuses its old file. Typst takes a few hundredths of a second a PDF once its fonts
are loaded, and one compiler keeps its fonts and layout work between documents, so a few PDFs
are made in this process; a whole site's (hundreds, on a first build) are shared between worker
processes, one per core: measured, threads with a compiler each were no faster.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from itertools import repeat
from pathlib import Path

import typst

from policy_portal.progress import Finished, nobody
from policy_portal.whole_files import write_whole

STANDARD = "ua-1"
RENDERING = "3"
"""Change this when _render changes how it makes a PDF from the same source (the source itself,
layout included, is in the key), so cached PDFs are made again."""
IN_PARALLEL = 64
"""From how many PDFs to make at once worker processes are worth starting (each imports the
portal and loads the fonts, about a second)."""


class PdfError(Exception):
    """A PDF could not be made as it should be: the message says why."""


@dataclass(frozen=True)
class PdfJob:
    source: str
    """The whole Typst document (typst_source.typst_document)."""
    root: Path
    """The only folder Typst may read: where the images are."""
    images: tuple[Path, ...] = ()
    """The image files the document shows."""

    def key(self, fonts: str) -> str:
        """The PDF's name in the cache; `fonts`: `fonts_version()`."""
        digest = hashlib.sha256()
        for part in (version("typst"), RENDERING, STANDARD, fonts, self.source):
            digest.update(part.encode())
            digest.update(b"\0")
        for image in self.images:
            digest.update(hashlib.sha256(image.read_bytes()).digest())
        return digest.hexdigest()


@dataclass(frozen=True)
class PdfResult:
    path: Path
    made: bool
    """False when the cached file was used."""


def make_pdfs(jobs: list[PdfJob], cache_folder: Path, workers: int | None = None,
              finished: Finished = nobody) -> list[PdfResult]:
    """One PDF per job, in order, from the cache or made now. `finished` is told the jobs found
    in the cache, together, then each job as its PDF is made."""
    cache_folder.mkdir(parents=True, exist_ok=True)
    fonts = fonts_version()
    targets = [cache_folder / f"{job.key(fonts)}.pdf" for job in jobs]
    missing = [(index, job, target) for index, (job, target) in enumerate(zip(jobs, targets, strict=True))
               if not target.exists()]
    waiting = {index for index, _, _ in missing}
    finished([index for index in range(len(jobs)) if index not in waiting], False)
    workers = min(len(missing) // IN_PARALLEL + 1, workers or os.cpu_count() or 1)
    if workers > 1:
        # A fresh interpreter per worker: a forked copy of a process that has run Typst could
        # inherit its thread pool without the threads.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            indexes, *work = zip(*missing, strict=True)
            for index, _ in zip(indexes, pool.map(_render, *work, repeat(fonts), chunksize=16), strict=True):
                finished([index], True)
    else:
        for index, job, target in missing:
            _render(job, target, fonts)
            finished([index], True)
    made = {target for _, _, target in missing}
    return [PdfResult(target, target in made) for target in targets]


def fonts_version() -> str:
    """Every font file Typst finds on this machine, by path, size and modification time, as one
    hash (a few hundredths of a second). Typst embeds the fonts a PDF uses, and falls back to any
    other it finds for a character they lack: a font package upgraded (its files replaced, with
    new times) or a font added must make the PDFs again, not leave them made with the old ones."""
    digest = hashlib.sha256()
    found = typst.Fonts(include_embedded_fonts=False).fonts()
    for path in sorted({font.path for font in found if font.path}):
        try:
            stat = os.stat(path)
        except OSError:  # gone since Typst listed it: a font being upgraded
            stat = None
        digest.update(f"{path}\0{stat and stat.st_size}\0{stat and stat.st_mtime_ns}\n".encode(
            "utf-8", "surrogateescape"))
    return digest.hexdigest()


@cache
def _compiler(root: Path, fonts: str) -> typst.Compiler:
    """One compiler per images folder and set of fonts (`fonts_version()`): it finds the fonts
    once, and remembers layout work; fonts changed while a preview server runs, say, need a new
    one."""
    return typst.Compiler(root=str(root))


def _render(job: PdfJob, target: Path, fonts: str) -> None:
    """Write one PDF, atomically: a half-written file must never be taken for a cached one.
    Typst's warnings are errors here: the likeliest is a missing font, which would make a PDF
    in another typeface without saying so."""
    try:
        document, warnings = _compiler(job.root, fonts).compile_with_warnings(
            job.source.encode(), pdf_standards=[STANDARD])
    except typst.TypstError as error:
        raise PdfError(f"Typst could not make a PDF: {error.message}") from None
    if warnings:
        said = "; ".join(warning.message for warning in warnings)
        hint = " (scripts/install installs the fonts the PDFs use)" if "font" in said else ""
        raise PdfError(f"Typst warned while making a PDF: {said}{hint}")
    write_whole(target, document)
