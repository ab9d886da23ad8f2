"""The only way a rendering engine gets resources: ``data:`` URIs, files inside the
source's own folder, the project's styles and the folders of the user's own
``--css`` files. Everything else — other files, ``http(s)://`` addresses
(loopback and private ranges included: nothing goes on the network),
``file://`` paths outside those folders — is refused and reported as a warning
naming the file and line that asked for it, when that is known. What it gives
obeys ``pipeline/images.py`` as the EPUB's images do: no file over the size
limit is read, no raster image over the pixel limit is decoded, an SVG is
rebuilt from the allow-list."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from pipeline.errors import OptionError
from pipeline.images import ImageRefused, looks_like_svg, read_file, sniff_image, vet_image
from pipeline.render import style_path
from pipeline.safety import line_of
from pipeline.writers.pdf.engine import URLFetcher, URLFetcherResponse


class Refused(ValueError):
    """A resource the fetcher will not give."""


def allowed_roots(base_dir: Path | None, extra: list[Path] | None = None) -> list[Path]:
    roots = [style_path("").resolve()]
    if base_dir is not None:
        roots.append(base_dir.resolve())
    roots += [Path(p).resolve() for p in extra or []]
    return roots


def resolve_local(url: str, roots: list[Path]) -> Path:
    """The file a ``file:`` URL names, if it lies inside one of ``roots``."""
    try:
        parsed = urlparse(url)
    except ValueError:
        raise Refused("not a valid address") from None
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise Refused("nothing is downloaded: only files next to the source are used")
    path = Path(unquote(parsed.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise Refused("it is outside the source's folder (and the folders of the --css files)")
    if not path.is_file():
        raise Refused("no such file")
    return path


class SafeFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only ``data:`` and allowed local files;
    every refusal is kept as a warning for the build's report."""

    def __init__(self, base_dir: Path | None, extra_roots: list[Path] | None = None):
        super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=False, timeout=1)
        self.roots = allowed_roots(base_dir, extra_roots)
        self.refused: list[str] = []
        self.texts: list[tuple[str, str]] = []     # (file name, text) to find references in

    def note_text(self, name: str, text: str) -> None:
        """Say where references may come from, so refusals can name file and line."""
        self.texts.append((name, text))

    def fetch(self, url: str, headers=None):
        try:
            if url.startswith("data:"):
                response = super().fetch(url, headers)
                data, media_type = response.read(), response.content_type
                response.close()
            else:
                path = resolve_local(url, self.roots)
                data = read_file(path)          # the size limit, before reading
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if sniff_image(data) or looks_like_svg(data):
                # The same rules as for the EPUB: pixel limit, SVG rebuilt from the allow-list.
                picture = vet_image(data)
                data, media_type = picture.data, picture.media_type
        except (Refused, ImageRefused) as exc:
            self.refused.append(f"{self._where(url)}refused {_shown(url)}: {exc}")
            raise Refused(str(exc)) from None
        return URLFetcherResponse(url, data, {"Content-Type": media_type})

    def _where(self, url: str) -> str:
        try:
            path = unquote(urlparse(url).path)
        except ValueError:
            path = ""
        candidates = [url, unquote(url), path, path.rsplit("/", 1)[-1]]
        for name, text in self.texts:
            for candidate in candidates:
                line, _ = line_of(text, candidate)
                if line is not None and candidate:
                    return f"{name}:{line}: "
        return ""

    def refused_messages(self) -> list[str]:
        return list(dict.fromkeys(self.refused))


def _shown(url: str) -> str:
    return repr(url if len(url) <= 100 else url[:97] + "...")


def user_stylesheet(path: Path, fetcher: SafeFetcher, font_config=None):
    """The user's ``--css`` file as a WeasyPrint stylesheet whose ``url()``,
    ``@import`` and ``@font-face`` sources go through ``fetcher`` (relative to
    the file's own folder); its ``@font-face`` rules load into ``font_config``,
    which must then be given to the rendering too."""
    from weasyprint import CSS

    path = Path(path)
    text = read_user_stylesheet(path)
    fetcher.note_text(str(path), text)
    return CSS(string=text, base_url=path.resolve().as_uri(), url_fetcher=fetcher, font_config=font_config)


def read_user_stylesheet(path: Path) -> str:
    """The text of the user's ``--css`` file; an ``OptionError`` when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise OptionError("no such stylesheet", path=path, hint="check the --css path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionError(f"cannot read the stylesheet ({getattr(exc, 'strerror', None) or exc})",
                          path=path, hint="give a readable UTF-8 CSS file to --css") from exc
