#!/usr/bin/env bash
# Installs what zinepress needs and is missing, then leaves a virtual
# environment in .venv with the project installed (editable) and its test
# tools. Safe to run again: it only does what is not done yet.
#
#   scripts/setup.sh          build + test needs
#   scripts/setup.sh bench    also what the benchmarks profile with (pyinstrument)
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages, by what needs them:
#   poppler-utils         pdftotext/pdffonts/pdftoppm: tests read built PDFs back
#   qpdf                  tests uncompress built PDFs (qpdf --qdf) to search every byte
#   fonts-linuxlibertine  the book typeface (Latin, Greek, Cyrillic)
#   fonts-noto-cjk        Chinese, Japanese, Korean texts
#   fonts-dejavu-core     the stated fallback typeface
#   fonts-noto-core       Noto Naskh Arabic (Persian, Arabic, Urdu …) and Noto Serif
#                         Hebrew (Hebrew, Yiddish): right-to-left texts
#   libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0  WeasyPrint's text layout
#   default-jdk-headless  Java for EPUBCheck; the tests run it on many EPUBs in one
#                         JVM through a small Java source file, which needs the JDK
#                         (only installed when no javac is on PATH)
#   chromium, chromium-driver  the library index is tested in a real browser (headless,
#                         driven by Selenium through Debian's driver: nothing downloaded);
#                         DAISY Ace checks each EPUB document in the same headless Chromium
#   nodejs, npm           the tests run DAISY Ace and the Nu HTML checker (npm, in tests/tools/)
#   wamerican, wbritish, wfrench, wngerman, wspanish, witalian  word lists: a ligature lost
#                         by a PDF's text extraction, a hyphen at a line end, are repaired
#                         only where they make a word of the language (pipeline/wordlist.py)
#   pandoc                the tests make, from corpus texts, the EPUB, DOCX, ODT, HTML and
#                         pandoc-Markdown files the readers of those formats are checked on
#                         (another program's files, not ours); the benchmarks time the
#                         .muse parser against it
need=(poppler-utils qpdf fonts-linuxlibertine fonts-noto-cjk fonts-dejavu-core fonts-noto-core
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium chromium-driver
      wamerican wbritish wfrench wngerman wspanish witalian)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)

missing=()
for pkg in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install these system packages: ${missing[*]}" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# Reinstall only when the dependency list changed.
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[test,cluster]'
  touch .venv/.installed
fi
# The EPUB checkers of the tests, pinned in tests/tools/package-lock.json: DAISY
# Ace (its command-line package, which drives Chromium through puppeteer) and the
# Nu HTML checker (vnu-jar, run with Java). Puppeteer downloads no browser of its
# own: the tests point it at Debian's chromium.
if [ ! -f tests/tools/node_modules/.installed ] || [ tests/tools/package-lock.json -nt tests/tools/node_modules/.installed ]; then
  (cd tests/tools && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
     npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch tests/tools/node_modules/.installed
fi
if [ "${1:-}" = bench ] && ! .venv/bin/python -c "import pyinstrument" >/dev/null 2>&1; then
  .venv/bin/python -m pip install -q -e '.[bench]'
fi

# Hyphenation patterns for the languages Pyphen has none for (Macedonian,
# Turkish, Finnish, Welsh, Irish, Kurmanji …): TeX's hyph-utf8 patterns as
# Debian's texlive-lang-european ships them. Only the pattern files are taken
# out of the package (not the TeX system it depends on) and converted into
# Pyphen's format in .venv/share/zinepress/hyphen (pipeline/hyphenation.py).
hyph=$(.venv/bin/python -c 'from pipeline.hyphenation import dictionary_dir; print(dictionary_dir())')
if [ ! -f "$hyph/.installed" ]; then
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "setup: no apt-get: Macedonian, Turkish, Finnish … will not be hyphenated" >&2
  else
    tmp=$(mktemp -d)
    chmod a+rwx "$tmp"   # apt downloads as its own user
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if ! (cd "$tmp" && apt-get -qq download texlive-lang-european >/dev/null 2>&1); then
      $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
      (cd "$tmp" && apt-get -qq download texlive-lang-european >/dev/null)
    fi
    dpkg-deb --fsys-tarfile "$tmp"/texlive-lang-european_*.deb \
      | tar -x -C "$tmp" --wildcards '*/hyph-utf8/patterns/txt/hyph-*'
    .venv/bin/python -m pipeline.hyphenation install "$tmp" "$hyph"
    touch "$hyph/.installed"
    rm -rf "$tmp"
  fi
fi
