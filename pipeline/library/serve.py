"""``zinepress serve OUT``: the library folder over HTTP, read only.

The standard library's ``ThreadingHTTPServer`` with a handler of our own
(``SimpleHTTPRequestHandler`` lists folders and follows links anywhere):

- ``GET`` and ``HEAD`` only; ``/`` is ``index.html``; no folder is listed;
- the path is decoded once and then checked: no ``.`` or ``..`` segment (so
  ``%2e%2e`` and ``..%2f`` are refused too), no hidden name other than the
  catalog's ``.catalog`` folder (the manifest and temporary files stay
  private), no backslash or NUL; the file found is resolved, links
  included, and must lie inside ``OUT`` and be a regular file. A refusal is
  answered 403 (404 for what does not exist) and always logged;
- types: the OPDS feeds as ``application/atom+xml;profile=opds-catalog;kind=…``,
  EPUB, PDF, HTML, CSS, JavaScript, JPEG…;
- one byte range (``Range: bytes=…``) is answered 206 with ``Content-Range``,
  an unsatisfiable one 416; ``If-Modified-Since`` gets 304;
- with ``verbose``, a line per request on standard error.

The server says ``serving … at http://HOST:PORT/`` once it listens (port 0
picks a free port: the line gives the real one), and stops on Ctrl-C.
"""

from __future__ import annotations

import email.utils
import os
import posixpath
import re
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from pipeline.errors import LibraryError
from pipeline.library import CATALOG_DIR, INDEX_NAME
from pipeline.library.opds import feed_type

TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".xml": "application/xml", ".epub": "application/epub+zip", ".pdf": "application/pdf",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".txt": "text/plain; charset=utf-8",
}
CHUNK = 1 << 16
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def content_type(path: str) -> str:
    """The media type of the file at ``path`` (posix, relative to OUT)."""
    return feed_type(path) or TYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")


class Refused(Exception):
    def __init__(self, status: HTTPStatus, why: str):
        super().__init__(why)
        self.status, self.why = status, why


def locate(root: Path, raw_path: str) -> tuple[Path, str]:
    """The file a request path names, and its path relative to ``root``;
    raises ``Refused`` for anything that is not a regular file inside it."""
    path = raw_path.split("?", 1)[0].split("#", 1)[0]     # not urlsplit: "//x/y" is no host here
    path = unquote(path, errors="strict") if "%" in path else path
    if "\0" in path or "\\" in path:
        raise Refused(HTTPStatus.BAD_REQUEST, "a NUL or backslash in the path")
    parts = [part for part in path.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise Refused(HTTPStatus.FORBIDDEN, "a '.' or '..' in the path")
    if any(part.startswith(".") and not (n == 0 and part == CATALOG_DIR) for n, part in enumerate(parts)):
        raise Refused(HTTPStatus.FORBIDDEN, "a hidden file")
    if not parts:
        parts = [INDEX_NAME]
    target = root.joinpath(*parts)
    try:
        real = target.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise Refused(HTTPStatus.NOT_FOUND, "no such file") from None
    except (OSError, RuntimeError):
        raise Refused(HTTPStatus.FORBIDDEN, "cannot be resolved") from None
    if not real.is_relative_to(root):
        raise Refused(HTTPStatus.FORBIDDEN, "a link leading out of the library")
    if real.is_dir():
        raise Refused(HTTPStatus.NOT_FOUND, "a folder (folders are not listed)")
    if not real.is_file():
        raise Refused(HTTPStatus.FORBIDDEN, "not a regular file")
    return real, "/".join(parts)


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range; None for a header to ignore
    (several ranges, another unit, bad syntax: the whole file is sent);
    raises ``Refused`` (416) when it cannot be satisfied."""
    m = RANGE.match(header.strip().replace(" ", ""))
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):                       # the last N bytes
        n = int(m.group(2))
        if n == 0:
            raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "an empty suffix range")
        return max(0, size - n), size - 1
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    if m.group(2) and last < first:
        return None                          # invalid: ignored
    if first >= size:
        raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, f"range starts past the end ({size} bytes)")
    return first, min(last, size - 1)


class LibraryHandler(BaseHTTPRequestHandler):
    server_version = "zinepress"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 60            # an idle connection is closed after a minute
    root: Path
    verbose = False
    say: Callable[[str], None] = staticmethod(lambda line: print(line, file=sys.stderr, flush=True))

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def answer(self, body: bool) -> None:
        try:
            real, name = locate(self.root, self.path)
        except (Refused, UnicodeDecodeError) as exc:
            status, why = (exc.status, exc.why) if isinstance(exc, Refused) else (HTTPStatus.BAD_REQUEST,
                                                                                   "a badly encoded path")
            self.refuse(status, why)
            return
        try:
            with open(real, "rb") as file:
                stat = os.fstat(file.fileno())
                size = stat.st_size
                modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
                since = self.headers.get("If-Modified-Since")
                if since and not self.headers.get("Range"):
                    try:
                        if int(stat.st_mtime) <= email.utils.parsedate_to_datetime(since).timestamp():
                            self.head(HTTPStatus.NOT_MODIFIED, name, None, modified)
                            return
                    except (TypeError, ValueError, IndexError, OverflowError):
                        pass
                span = None
                if self.headers.get("Range"):
                    try:
                        span = byte_range(self.headers["Range"], size)
                    except Refused as exc:
                        self.send_response(exc.status)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        self.note(exc.status, exc.why)
                        return
                if span is None:
                    self.head(HTTPStatus.OK, name, size, modified)
                    first, length = 0, size
                else:
                    first, length = span[0], span[1] - span[0] + 1
                    self.head(HTTPStatus.PARTIAL_CONTENT, name, length, modified,
                              {"Content-Range": f"bytes {span[0]}-{span[1]}/{size}"})
                if body:
                    file.seek(first)
                    remaining = length
                    while remaining > 0:
                        block = file.read(min(CHUNK, remaining))
                        if not block:
                            break
                        self.wfile.write(block)
                        remaining -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except OSError:
            self.refuse(HTTPStatus.FORBIDDEN, "cannot be read")

    def head(self, status: HTTPStatus, name: str, length: int | None, modified: str,
             extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type(name))
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", modified)
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.note(status)

    def refuse(self, status: HTTPStatus, why: str) -> None:
        text = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)
        self.note(status, why)

    def note(self, status: HTTPStatus, why: str = "") -> None:
        """A line per request with ``verbose``; refusals (400, 403) always."""
        if self.verbose or status in (HTTPStatus.FORBIDDEN, HTTPStatus.BAD_REQUEST):
            line = f"{self.client_address[0]} {self.command} {_printable(self.path)} {status.value}"
            self.say(line + (f" refused: {why}" if why and status >= 400 else ""))

    def send_error(self, code, message=None, explain=None) -> None:   # malformed requests, unknown methods
        self.close_connection = True
        status = HTTPStatus(code)
        text = f"{status.value} {status.phrase}\n".encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(text)))
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", "") != "HEAD":
                self.wfile.write(text)
        except OSError:
            pass
        if self.verbose:
            self.say(f"{self.client_address[0]} {getattr(self, 'command', '') or '-'} "
                     f"{_printable(getattr(self, 'path', '') or '-')} {status.value}")

    def log_message(self, format, *args) -> None:   # the lines are ours (note)
        pass


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)[:300]


class LibraryServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:   # a client gone mid-answer: nothing to say
        pass


def make_server(out: Path, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False,
                say: Callable[[str], None] | None = None) -> LibraryServer:
    """A server for ``out``, listening, not yet serving."""
    if not out.is_dir():
        raise LibraryError("no such folder", path=out, hint="give the folder that zinepress build wrote (-o OUT)")
    root = out.resolve()
    attributes = {"root": root, "verbose": verbose}
    if say is not None:
        attributes["say"] = staticmethod(say)
    handler = type("Handler", (LibraryHandler,), attributes)
    server_class = LibraryServer
    if ":" in host:
        server_class = type("LibraryServer6", (LibraryServer,), {"address_family": socket.AF_INET6})
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise LibraryError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                           hint="choose another --port, or stop what uses this one") from None


def address_of(server: LibraryServer) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"
