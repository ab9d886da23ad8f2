"""Hyphenation dictionaries, chosen by the text's language tag.

WeasyPrint hyphenates through Pyphen: for an element's ``lang`` it takes
``pyphen.language_fallback(lang)`` and the dictionary file that
``pyphen.LANGUAGES`` names for it. Pyphen ships LibreOffice's dictionaries;
the languages it lacks (Macedonian, Turkish, Finnish, Welsh, Irish, Kurmanji,
Latin …) come from TeX's hyph-utf8 patterns, as Debian packages them in
``texlive-lang-european``: ``scripts/setup.sh`` takes the pattern files out of
that package and ``python -m pipeline.hyphenation install DIR`` converts them
into Pyphen's ``hyph_LANG.dic`` format in ``dictionary_dir()``. Nothing is
typed by hand: the patterns are the package's.

``register()`` (called by both PDF writers before layout) adds those
dictionaries to Pyphen and settles the tags Pyphen would get wrong:

- ``en`` alone is American English (Pyphen's own fallback picks British);
  ``en-GB`` (and ``en-AU``, ``en-NZ``, ``en-IE``, ``en-IN``, ``en-ZA``) get the
  British patterns;
- ``ku`` (Kurdish in Latin letters) takes Kurmanji's patterns; ``sh``
  (Serbo-Croatian, the Library's tag) and ``sr-Latn`` take Serbian in
  Latin letters, ``bs`` Croatian's patterns.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Tags Pyphen has no dictionary for that name another one of its dictionaries.
ALIASES = {
    "en": "en_US",
    "en_au": "en_GB", "en_nz": "en_GB", "en_ie": "en_GB", "en_in": "en_GB", "en_za": "en_GB",
    "sh": "sr_Latn", "sh_latn": "sr_Latn", "bs": "hr", "bs_latn": "hr",
    "ku": "kmr", "ku_latn": "kmr",
}

_registered = False


def dictionary_dir() -> Path:
    """Where ``install`` writes the converted TeX patterns (inside the virtual environment)."""
    return Path(sys.prefix) / "share" / "zinepress" / "hyphen"


def register(directory: Path | None = None) -> None:
    """Make Pyphen (and so WeasyPrint) find the extra dictionaries and the aliases."""
    global _registered
    if _registered and directory is None:
        return
    import pyphen

    folder = directory or dictionary_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("hyph_*.dic")):
            name = path.name[5:-4]
            pyphen.LANGUAGES.setdefault(name, path)
            pyphen.LANGUAGES.setdefault(name.split("_")[0], path)
    for alias, target in ALIASES.items():
        if target in pyphen.LANGUAGES:
            pyphen.LANGUAGES[alias] = pyphen.LANGUAGES[target]
    pyphen.LANGUAGES_LOWERCASE.clear()
    pyphen.LANGUAGES_LOWERCASE.update({name.lower(): name for name in pyphen.LANGUAGES})
    _registered = directory is None or _registered


def dictionary_for(lang: str) -> Path | None:
    """The dictionary file WeasyPrint will use for ``lang`` (None: no hyphenation)."""
    import pyphen

    register()
    name = pyphen.language_fallback(lang) if lang else None
    return Path(str(pyphen.LANGUAGES[name])) if name else None


def tex_to_dic(patterns: str, exceptions: str = "") -> str:
    """hyph-utf8 patterns (``hyph-LANG.pat.txt``) and exceptions (``.hyp.txt``)
    as a Pyphen/LibreOffice ``.dic``. An exception (``as-so-ciate``) becomes a
    pattern of the whole word whose odd digits (9) allow exactly its hyphens
    and even ones (8) forbid every other break."""
    lines = ["UTF-8"]
    lines.extend(p for p in patterns.split() if not p.startswith("%"))
    for word in exceptions.split():
        if word.startswith("%"):
            continue
        letters = word.replace("-", "")
        if not letters:
            continue
        pieces = word.split("-")
        out = [pieces[0][:1]]
        previous = pieces[0][:1]
        for n, piece in enumerate(pieces):
            for i, ch in enumerate(piece):
                if n == 0 and i == 0:
                    continue
                out.append("9" if i == 0 and previous else "8")
                out.append(ch)
                previous = ch
        lines.append("." + "".join(out) + ".")
    return "\n".join(lines) + "\n"


def install(source: Path, target: Path | None = None) -> list[str]:
    """Convert every ``hyph-LANG.pat.txt`` under ``source`` whose language
    Pyphen lacks into ``target/hyph_LANG.dic``; returns the languages written."""
    import pyphen

    target = target or dictionary_dir()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for pat in sorted(source.rglob("hyph-*.pat.txt")):
        tag = pat.name[len("hyph-"):-len(".pat.txt")]
        if "-x-" in tag:            # variants (school spelling, liturgical Latin)
            continue
        name = re.sub(r"-", "_", tag)
        if pyphen.language_fallback(name) == name or name in pyphen.LANGUAGES:
            continue                # Pyphen's own dictionary is kept
        hyp = pat.with_name(f"hyph-{tag}.hyp.txt")
        text = tex_to_dic(pat.read_text("utf-8"), hyp.read_text("utf-8") if hyp.exists() else "")
        (target / f"hyph_{name}.dic").write_text(text, "utf-8")
        written.append(name)
    return written


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "install":
        done = install(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else None)
        print("hyphenation patterns added: " + (", ".join(done) or "none"))
        return 0
    print("usage: python -m pipeline.hyphenation install PATTERN-DIR [TARGET-DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
