"""Bytes → clean text, whatever encoding the file was saved in.

Order of the checks:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) decides;
2. known binary signatures (PDF, PNG, JPEG, ZIP/EPUB/DOCX, GIF…) are refused;
3. NUL bytes: UTF-16 without BOM when they fall on one parity, otherwise binary;
4. strict UTF-8; UTF-8 with a few invalid sequences (at most
   ``MAX_INVALID_UTF8``, and far fewer than its valid non-ASCII characters)
   is read as UTF-8, each sequence replaced by U+FFFD with a warning naming
   its line;
5. otherwise a legacy 8-bit encoding guessed by ``charset-normalizer``
   (cp1252, latin-1, koi8-r, cp1251…); ``cp1252`` is preferred over its
   look-alikes when it decodes the bytes, since it is by far the most common.

The text is then repaired: mojibake (UTF-8 read as cp1252 and saved again) is
undone with ``ftfy`` line by line, only on lines ``ftfy`` finds suspicious
(``looks_bad``: its test, tried only around the characters beyond ASCII), and
with its typographic changes off (quotes, ligatures, full-width forms and HTML
entities stay as they are); it is put in Unicode NFC; line ends become ``\\n``;
tabs are expanded (8-column stops); other control characters are dropped.
Characters that XML (so no output) can hold that remain (U+FFFF, lone
surrogates) are replaced by U+FFFD with a warning (``replace_forbidden``, also
used by the ``.muse`` reader for text given to it directly).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import ftfy
from ftfy.badness import BADNESS_RE

from pipeline.errors import UnreadableSource

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (EPUB, DOCX, ODT…)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", None),  # only with more evidence: "BZh" can start a text
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", None),
    (b"RIFF", None),
    (b"{\\rtf", "an RTF document"),
)

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)

# Every match of ftfy's mojibake pattern holds a character beyond ASCII and is at
# most this long (``tests/test_decode.py`` checks both of the installed ftfy).
MOJIBAKE_WIDTH = 7
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")

# Control characters to drop: C0 except \t and \n, DEL, C1, and stray BOMs /
# zero-width no-break spaces. \r is handled before.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe]")

# Guesses that are cp1252's Western look-alikes: when cp1252 decodes the bytes
# too, it is the likelier one.
_LATIN_LOOKALIKES = {None, "cp1252", "latin-1", "iso8859-1", "iso8859-15", "cp1250", "iso8859-2",
                     "cp1257", "cp1254", "iso8859-9", "mac-roman", "cp850", "cp437", "cp1258",
                     "iso8859-3", "iso8859-4", "iso8859-13", "iso8859-16", "mac-latin2"}


_MULTIBYTE_CJK = {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "shift_jis", "cp932",
                  "euc_jp", "euc_kr", "cp949", "iso2022_jp", "johab", "cp950", "hz"}


def _refuse(what: str, path: Path | None) -> UnreadableSource:
    return UnreadableSource(
        f"the file is {what}, not a text", path=path,
        hint="give a text file (.muse, .md, .txt); export other documents as text first")


def _binary_kind(data: bytes) -> str | None:
    for sig, what in _SIGNATURES:
        if what and data.startswith(sig):
            return what
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """The text if ``data`` reads as UTF-16 (either byte order) without a BOM."""
    if len(data) % 2:
        return None
    best, best_share = None, 0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # The wrong byte order turns every ASCII character (spaces, line
        # ends, digits, markup) into some U+xx00 character.
        ascii_count = sum(1 for c in text[:20_000] if c < "\x80")
        if ascii_count > best_share and _plausible_share(text) > 0.97:
            best, best_share = text, ascii_count
    return best


def _plausible_share(text: str) -> float:
    """Share of characters that are assigned, printable, and not private-use."""
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = 0
    for c in sample:
        if c in "\n\r\t":
            continue
        if unicodedata.category(c) in ("Cc", "Cn", "Cs", "Co"):
            bad += 1
    return 1 - bad / len(sample)


def _guess_legacy(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    # Bytes 0x80–0x9f are printable only in Windows code pages: a text using
    # them for punctuation (quotes, dashes) is almost always cp1252.
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    best = from_bytes(data[:200_000]).best()
    guess = best.encoding if best is not None else None
    if guess:
        guess = codecs.lookup(guess).name
    if cp1252 is not None and guess in _LATIN_LOOKALIKES:
        return "cp1252"
    if cp1252 is not None and guess in _MULTIBYTE_CJK:
        # A few accented letters in a Latin text can happen to form valid
        # CJK byte pairs: a real CJK text has many ideographs / kana / hangul.
        try:
            cjk = sum(1 for c in data[:200_000].decode(guess, errors="ignore")
                      if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
        except LookupError:
            cjk = 0
        if cjk < 20:
            return "cp1252"
    return guess or ("cp1252" if cp1252 is not None else None)


def _to_text(data: bytes, path: Path | None) -> tuple[str, list[str]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), []
            except UnicodeDecodeError as exc:
                raise UnreadableSource(
                    f"the file starts with a {encoding.upper()} byte-order mark but is not "
                    f"valid {encoding.upper()}", path=path,
                    hint="save it again as UTF-8") from exc
    what = _binary_kind(data)
    if what:
        raise _refuse(what, path)
    if b"\x00" in data[:65536]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text, []
        raise _refuse("binary data (it contains NUL bytes)", path)
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, offsets = mostly
        lines = _lines_at(data, offsets, b"\n")
        return text, [f"{_lines_shown(lines)}{len(offsets)} byte sequence(s) that are not UTF-8 replaced by "
                      "U+FFFD (check the text there, and save the file again as UTF-8)"]
    encoding = _guess_legacy(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and _printable_share(text) > 0.95:
            return text, []
    line = data[: utf8_error.start].count(b"\n") + 1
    raise UnreadableSource("the file is neither UTF-8 nor a text encoding we recognise",
                           path=path, line=line, hint="save it as UTF-8")


def _printable_share(text: str) -> float:
    sample = text[:100_000]
    if not sample:
        return 1.0
    bad = len(_CONTROL.findall(sample.replace("\r", "")))
    return 1 - bad / len(sample)


def looks_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``, its pattern tried only in windows around the runs
    of characters beyond ASCII (a match lies within ``MOJIBAKE_WIDTH`` of one), not at
    every position of the text: a tenth of the time on an English text."""
    start, end = 0, -1                 # the window gathered so far: text[start:end]
    for run in _BEYOND_ASCII.finditer(text):
        if run.start() - MOJIBAKE_WIDTH > end:
            if end >= 0 and BADNESS_RE.search(text, start, end):
                return True
            start = max(0, run.start() - MOJIBAKE_WIDTH)
        end = run.end() + MOJIBAKE_WIDTH
    return end >= 0 and BADNESS_RE.search(text, start, end) is not None


def repair(text: str) -> str:
    """Line ends, mojibake, NFC, tabs and control characters of an already decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    if looks_bad(text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line and looks_bad(line):
                lines[i] = ftfy.fix_text(line, _FTFY_CONFIG)
        text = "\n".join(lines)
    text = _CONTROL.sub("", text)
    if "\t" in text:
        text = "\n".join(line.expandtabs(8) for line in text.split("\n"))
    return unicodedata.normalize("NFC", text)


def decode(data: bytes, path: Path | None = None) -> str:
    """Decode ``data`` (the bytes of ``path``) to clean ``str``; ``UnreadableSource`` if binary."""
    return decode_with_warnings(data, path)[0]


def decode_with_warnings(data: bytes, path: Path | None = None) -> tuple[str, list[str]]:
    """``decode``, and the warnings about what had to be replaced (with their lines)."""
    text, warnings = _to_text(data, path)
    text, forbidden = replace_forbidden(repair(text))
    return text, warnings + forbidden


# Characters XML 1.0 forbids: no output (XHTML, EPUB, the PDF engine's tree) can hold them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def replace_forbidden(text: str) -> tuple[str, list[str]]:
    """``text`` with each character XML forbids replaced by U+FFFD, and a warning naming their lines."""
    found = [m.start() for m in XML_FORBIDDEN.finditer(text)]
    if not found:
        return text, []
    kinds = sorted({f"U+{ord(text[i]):04X}" for i in found})
    shown = ", ".join(kinds[:3]) + (", …" if len(kinds) > 3 else "")
    lines = _lines_at(text, found, "\n")
    return XML_FORBIDDEN.sub("\ufffd", text), [
        f"{_lines_shown(lines)}{len(found)} control or invalid character(s) ({shown}) replaced by U+FFFD"]


# At most this many invalid sequences in a file that is otherwise UTF-8; more, and
# it is taken for another encoding.
MAX_INVALID_UTF8 = 100


def _mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """(text, offsets of the invalid sequences) if ``data`` is UTF-8 with a few of them."""
    parts, offsets, pos = [], [], 0
    while True:
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            if len(offsets) >= MAX_INVALID_UTF8:
                return None
            parts.append(data[pos:pos + exc.start].decode("utf-8"))
            parts.append("\ufffd")
            offsets.append(pos + exc.start)
            pos += exc.end
    text = "".join(parts)
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - len(offsets)
    # A legacy 8-bit text has hardly a valid UTF-8 sequence: each accented letter is one invalid byte.
    if non_ascii < 4 * len(offsets):
        return None
    return text, offsets


def _lines_at(text, offsets: list[int], newline) -> list[int]:
    """The distinct 1-based lines of ``offsets`` (in increasing order), counted in one pass."""
    lines, line, last = [], 1, 0
    for offset in offsets:
        line += text.count(newline, last, offset)
        last = offset
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _lines_shown(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}: "
    return "lines " + ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "") + ": "
