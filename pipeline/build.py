"""One source → its outputs: read, normalize, render, write (PDF, booklet, EPUB).

Every output of a source is written to a temporary name and renamed only when
all of them have been made, so a failing source leaves no file behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Document
from pipeline.options import BuildOptions, imposition
from pipeline.writers.booklet.paper import Size

SUFFIX = {"pdf": ".pdf", "booklet": ".booklet.pdf", "epub": ".epub"}


@dataclass
class BuildResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)   # the document's, for --debug
    seconds: float = 0.0


def output_paths(source: Path, out_dir: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    return {fmt: out_dir / (source.stem + SUFFIX[fmt]) for fmt in formats}


def load(source: Path, options: BuildOptions) -> Document:
    from pipeline.normalize import normalize
    from pipeline.readers import read

    doc = read(source, options.source_format)
    meta = doc.metadata
    if options.title and not meta.title:
        meta.title = options.title
    if options.author and not meta.authors:
        meta.authors = [options.author]
    if options.lang and not meta.lang:
        meta.lang = options.lang
    return normalize(doc, typography=options.typography)


def build_one(source: Path, out_dir: Path, options: BuildOptions | None = None) -> BuildResult:
    from pipeline.render import prepare

    options = options or BuildOptions()
    started = time.perf_counter()
    doc = load(source, options)
    try:
        result = make_outputs(prepare(doc), output_paths(source, out_dir, options.formats), options)
    except RecursionError as exc:   # read() caps nesting; this is the last wall, never a traceback
        from pipeline.errors import SourceTooLarge
        raise SourceTooLarge("the text is nested too deeply to lay out", path=source,
                             hint="flatten quotes, lists or tables inside each other") from exc
    result.source = source
    result.seconds = time.perf_counter() - started
    return result


def pamphlet_edition(paper: Size, pages: int) -> str:
    """How the EPUB names the pamphlet its page numbers come from."""
    name = paper.name.upper() if paper.name and len(paper.name) <= 3 else paper.name or f"{paper.width:g}×{paper.height:g} mm"
    return f"the pamphlet edition ({name} paper, {pages} pages)"


def make_outputs(prep, paths: dict[str, Path], options: BuildOptions) -> BuildResult:
    """Make every output of a prepared document in memory, then write them all
    (to ``paths``, one per format). Shared by single texts and bundles."""
    from pipeline.writers.output import write_together

    doc = prep.doc
    result = BuildResult(source=doc.path)
    made: dict[str, bytes] = {}
    if "pdf" in options.formats or "booklet" in options.formats:
        from pipeline.writers.pdf import write_pdf
        # The EPUB marks where the pamphlet's pages begin (its page list).
        pdf = write_pdf(prep, options.pdf, page_list="epub" in options.formats)
        result.pages = pdf.pages
        prep.print_pages = pdf.print_pages
        prep.print_edition = pamphlet_edition(options.pdf.paper, pdf.pages)
        result.warnings.extend(pdf.warnings)
        if "pdf" in options.formats:
            made["pdf"] = pdf.data
        if "booklet" in options.formats:
            from pipeline.writers.booklet import impose
            made["booklet"] = impose(pdf.data, imposition(options, prep))
    if "epub" in options.formats:
        from pipeline.writers.epub import write_epub
        made["epub"] = write_epub(prep, embed_fonts=options.embed_fonts,
                                  source_date_epoch=options.source_date_epoch)
    write_together({paths[fmt]: made[fmt] for fmt in options.formats})   # all of them, or none
    result.outputs.extend(paths[fmt] for fmt in options.formats)
    result.warnings = doc.warnings + result.warnings
    result.changes = list(doc.changes)
    return result
