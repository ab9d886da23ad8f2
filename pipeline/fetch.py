"""The only way a rendering engine gets resources: ``data:`` URIs, files inside the
source's own folder and the project's styles. Everything else — other files,
``http(s)://`` addresses, ``file://`` paths outside those folders — is refused
and reported as a warning."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from pipeline.render import style_path


class Refused(ValueError):
    """A resource the fetcher will not give."""


def allowed_roots(base_dir: Path | None) -> list[Path]:
    roots = [style_path("").resolve()]
    if base_dir is not None:
        roots.append(base_dir.resolve())
    return roots


def resolve_local(url: str, roots: list[Path]) -> Path:
    """The file a ``file:`` URL names, if it lies inside one of ``roots``."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise Refused(f"refused to fetch {url!r}: only files next to the source are used")
    path = Path(unquote(parsed.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise Refused(f"refused to read {path}: it is outside the source's folder")
    if not path.is_file():
        raise Refused(f"no such file: {path}")
    return path


from weasyprint.urls import URLFetcher  # noqa: E402  (this module is only imported to render)


class SafeFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only ``data:`` and allowed local files;
    every refusal is kept as a warning for the build's report."""

    def __init__(self, base_dir: Path | None):
        super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=False)
        self.roots = allowed_roots(base_dir)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        if not url.startswith("data:"):
            try:
                resolve_local(url, self.roots)
            except Refused as exc:
                self.refused.append(str(exc))
                raise
        return super().fetch(url, headers)

    def refused_messages(self) -> list[str]:
        return list(dict.fromkeys(self.refused))
