"""The command line: options (read once by ``pipeline.options``) → calls →
messages and exit codes. Nothing else.

Exit codes: 0 all built, 1 a source failed, 2 a usage error.
Heavy modules are imported inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn texts into pamphlet PDFs, imposed booklets and EPUBs, each with its colophon.")


def _formats(value: str) -> tuple[str, ...]:
    """``--format`` read, or a usage error."""
    from pipeline.options import parse_formats

    try:
        return parse_formats(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _fail(error: Exception, debug: bool) -> None:
    """One line for the user (the traceback too with --debug), then exit 1."""
    import traceback

    typer.echo(f"error: {error}", err=True)
    if debug:
        typer.echo(traceback.format_exc(), err=True)
    raise typer.Exit(1)


@app.callback()
def main() -> None:
    """zinepress."""


@app.command()
def build(
    paths: List[Path] = typer.Argument(..., help="Source files or folders (searched recursively)."),
    out: Path = typer.Option(Path("dist"), "-o", "--out", help="Output folder."),
    formats: str = typer.Option("pdf,booklet,epub", "--format", help="Which outputs: pdf, booklet, epub."),
    source_format: Optional[str] = typer.Option(None, "--from", help="Read as this format: muse, export, converted, markdown, plain, html, epub, docx, odt."),
    paper: str = typer.Option("", "--paper", help="Page size of the pamphlet: a5 (default), a6, half-letter, quarter-letter, pocket, or WIDTHxHEIGHT in mm (e.g. 120x180, 5.5inx8.5in)."),
    font_size: str = typer.Option("", "--font-size", help="Body font size, e.g. 11pt."),
    css: List[Path] = typer.Option([], "--css", help="Your own stylesheet, layered over the pamphlet's."),
    impose: str = typer.Option("saddle", "--impose", help="Booklet layout: saddle (folded and stapled), onepagezine (8 pages on one sheet), 2up (side by side), none."),
    sheet: str = typer.Option("", "--sheet", help="Sheet the booklet is printed on: a4, letter, a3, sra3… or WIDTHxHEIGHT (default: Letter for Letter-sized papers, else A4)."),
    signature: int = typer.Option(0, "--signature", min=0, help="Pages per signature of a saddle booklet, a multiple of 4 (default: one booklet up to 80 pages, else 40-80 with the fewest blanks)."),
    duplex: str = typer.Option("short-edge", "--duplex", help="How your printer turns the sheet: short-edge (usual for booklets), or long-edge (backs printed upside down to come out right)."),
    creep: float = typer.Option(0.0, "--creep", help="Paper thickness in mm: the pages of inner sheets move towards the fold by this much per sheet."),
    marks: bool = typer.Option(False, "--marks", help="Crop marks and a bleed on the pamphlet; crop and fold marks on the booklet (needs a sheet bigger than two pages)."),
    pdf_variant: str = typer.Option("", "--pdf-variant", help="pdf/ua-1 (tagged, accessible) or pdf/a-3b (archival)."),
    typography: bool = typer.Option(True, "--typography/--no-typography", help="Typographic quotes, dashes and spaces."),
    title: str = typer.Option("", "--title", help="Title for sources that state none."),
    author: str = typer.Option("", "--author", help="Author for sources that state none."),
    lang: str = typer.Option("", "--lang", help="Language for sources that state none (e.g. en, fr)."),
    embed_fonts: bool = typer.Option(False, "--embed-fonts", help="Embed the book's typeface in the EPUB, subset to the characters used."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Sources built in parallel (default: one per core)."),
    force: bool = typer.Option(False, "--force", help="Rebuild every source, even those up to date."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Say only what failed."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write a JSON report of every source here."),
    scheduler: str = typer.Option("", "--scheduler", help="Build on a Dask cluster: its scheduler's tcp://HOST:PORT."),
    catalog: bool = typer.Option(False, "--catalog", help="Then update OUT/index.html and OUT/opds.xml from what OUT holds (as zinepress catalog OUT)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Build each source into OUT/NAME.pdf, OUT/NAME.booklet.pdf and OUT/NAME.epub.

    Folders are searched recursively and their layout is kept under OUT.
    Sources unchanged since the last build into OUT are skipped."""
    from pipeline.batch import BatchOptions, run_build
    from pipeline.errors import ZinepressError
    from pipeline.options import command_options

    try:
        options = command_options(
            formats=_formats(formats), source_format=source_format, paper=paper, font_size=font_size, css=css,
            impose=impose, sheet=sheet, signature=signature, duplex=duplex, creep=creep, marks=marks,
            pdf_variant=pdf_variant, typography=typography, title=title, author=author, lang=lang,
            embed_fonts=embed_fonts)
        if scheduler:
            from pipeline.batch.cluster import scheduler_address
            scheduler_address(scheduler)
    except ZinepressError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    batch = BatchOptions(jobs=jobs, force=force, quiet=quiet, report=report, scheduler=scheduler, debug=debug)
    try:
        failed = run_build(paths, out, options, batch, echo=typer.echo)
    except ZinepressError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        raise typer.Exit(130)   # the one line is the entry point's (pipeline.interrupt)
    if catalog and _catalog(out, None, None, debug, quiet):
        raise typer.Exit(1)
    raise typer.Exit(1 if failed else 0)


@app.command()
def bundle(
    sources: List[Path] = typer.Argument(..., help="The texts, in book order (a folder adds its texts in name order)."),
    title: str = typer.Option(..., "--title", help="The book's title."),
    author: str = typer.Option("", "--author", help="The book's author or editor (default: every text's authors)."),
    name: Optional[Path] = typer.Option(None, "-o", "--out", help="Output name, without ending: NAME.pdf, NAME.booklet.pdf, NAME.epub (default: dist/TITLE)."),
    formats: str = typer.Option("pdf,booklet,epub", "--format", help="Which outputs: pdf, booklet, epub."),
    paper: str = typer.Option("", "--paper", help="Page size of the book, as for build."),
    lang: str = typer.Option("", "--lang", help="The book's language (default: its texts' most common one)."),
    typography: bool = typer.Option(True, "--typography/--no-typography", help="Typographic quotes, dashes and spaces."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Bind several texts into one book: each text a part, a colophon listing every text's attribution."""
    import re

    from pipeline.batch.planning import collect_sources
    from pipeline.bundle import build_bundle
    from pipeline.errors import ZinepressError
    from pipeline.options import command_options

    if name is None:
        name = Path("dist") / (re.sub(r"[^\w.-]+", "_", title).strip("_.") or "bundle")
    try:
        options = command_options(formats=_formats(formats), paper=paper, typography=typography, lang=lang)
        result = build_bundle([source for source, _ in collect_sources(sources)], name, title, author, options)
    except ZinepressError as exc:
        _fail(exc, debug)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    outputs = ", ".join(str(p) for p in result.outputs)
    typer.echo(f"built {outputs} ({result.pages} pages, {result.seconds:.1f}s)")


@app.command()
def normalize(
    source: Path = typer.Argument(..., help="The source file."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Write to this file instead of standard output."),
    source_format: Optional[str] = typer.Option(None, "--from", help="Read as this format: muse, export, converted, markdown, plain, html, epub, docx, odt."),
    typography: bool = typer.Option(True, "--typography/--no-typography", help="Typographic quotes, dashes and spaces."),
    lang: str = typer.Option("", "--lang", help="Language for a source that states none."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Print the normalized text as Markdown with YAML front matter (what would be built)."""

    from pipeline.build import load
    from pipeline.errors import ZinepressError
    from pipeline.options import BuildOptions
    from pipeline.writers.markdown import to_markdown
    from pipeline.writers.output import write_atomically

    try:
        doc = load(source, BuildOptions(source_format=source_format, typography=typography, lang=lang))
        text = to_markdown(doc)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_atomically(out, text.encode("utf-8"))
    except ZinepressError as exc:
        _fail(exc, debug)
    for warning in doc.warnings:
        typer.echo(f"warning: {source}: {warning}", err=True)


def _catalog(out: Path, title: Optional[str], base_url: Optional[str], debug: bool, quiet: bool = False) -> int:
    """Catalog ``out``, saying what was done; 0, 1 (the folder cannot be catalogued) or 2 (a bad option)."""
    import traceback

    from pipeline.errors import OptionError, ZinepressError
    from pipeline.library.catalog import write_catalog

    try:
        result = write_catalog(out, title, base_url)
    except ZinepressError as exc:
        typer.echo(f"error: {exc}", err=True)
        if debug:
            typer.echo(traceback.format_exc(), err=True)
        return 2 if isinstance(exc, OptionError) else 1
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not quiet:
        typer.echo(f"catalogued {result.books} {'text' if result.books == 1 else 'texts'}: "
                   f"{out / 'index.html'}, {out / 'opds.xml'}")
    return 0


@app.command()
def catalog(
    out: Path = typer.Argument(..., help="A folder that zinepress build wrote (-o OUT)."),
    title: Optional[str] = typer.Option(None, "--title", help="The library's name (default: the one given last, else 'Library')."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="Make the feeds' links absolute under this address, e.g. http://192.168.1.10:8000/ (default: relative links)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Make OUT a library: OUT/index.html (every text, with search and filters) and
    OUT/opds.xml (an OPDS catalog for e-reader apps), from the books OUT holds."""
    raise typer.Exit(_catalog(out, title, base_url, debug))


@app.command()
def serve(
    out: Path = typer.Argument(..., help="The library folder (built, then catalogued)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; 0.0.0.0 lets other devices of your network (an e-reader, a phone) reach it."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="A line per request."),
) -> None:
    """Serve OUT read-only over HTTP: the index at /, the OPDS catalog at /opds.xml.

    Only this machine can reach it unless --host 0.0.0.0 is given. Ctrl-C stops it."""
    import signal

    from pipeline import interrupt

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    interrupt.ends_on_ctrl_c()
    try:
        _serve(out, host, port, verbose)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)


def _serve(out: Path, host: str, port: int, verbose: bool) -> None:
    from pipeline.errors import ZinepressError
    from pipeline.library.serve import address_of, make_server

    try:
        server = make_server(out, host, port, verbose)
    except ZinepressError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    try:
        if not (out / "index.html").is_file():
            typer.echo(f"warning: {out} has no index.html: run zinepress catalog {out} first", err=True)
        address = address_of(server)
        if host in ("0.0.0.0", "::"):
            address = address.replace(host, "THIS-MACHINE", 1)
        typer.echo(f"serving {out} at {address} (OPDS catalog: {address}opds.xml); Ctrl-C stops")
        server.serve_forever()
    finally:
        server.server_close()
