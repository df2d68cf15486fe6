"""Which extractor produced a set of facts: everything that decides its output, as one identity.

A hand-kept version number is bumped by no one when a threshold changes, and a cache keyed on
it keeps old facts for ever. The identity is therefore computed: the release (for people),
then a hash of what decides the output: the extractor package's own source and data files,
the versions of the libraries that read the bytes, and which optional readers this process
can use (Tesseract for scans, LibreOffice for old formats). `0.2.0+3f9a0c1d2e4b` reads as
"release 0.2.0, exactly this code on exactly these libraries".
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from vpetl import __version__

from . import ocr

RELEASE = __version__  # for people (the one version string, vpetl.__version__); never relied on to notice a change
LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "pillow", "python-docx", "openpyxl", "xlrd")
PACKAGE = Path(__file__).resolve().parent
HASH_CHARS = 12  # 48 bits: two different inputs collide once in 10^14 pairs, and the version fits String(32)


@cache
def source_hash() -> str:
    """sha256 of every source and data file of the extractor package, by relative path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".csv")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _library_versions() -> dict[str, str]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


@cache
def _tesseract() -> str:
    """Tesseract's version line, with its languages: an upgrade can change what a scan reads."""
    try:
        run = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "absent"
    lines = (run.stdout or run.stderr).splitlines()
    return f"{lines[0].strip() if lines else 'tesseract'} ({ocr.LANGUAGES})"


def inputs(use_ocr: bool | None = None) -> dict[str, str]:
    """What decides the output, by name (stored beside each run). `use_ocr`: whether the
    process that extracts reads scans (default: this process's own setting)."""
    reads_scans = ocr.available() if use_ocr is None else use_ocr and shutil.which("tesseract") is not None
    return {"release": RELEASE, "source": source_hash(), **_library_versions(),
            "ocr": _tesseract() if reads_scans else "off",
            "libreoffice": "present" if shutil.which("soffice") else "absent"}


def identity(use_ocr: bool | None = None) -> str:
    """`RELEASE+hash`: equal exactly when the extractors would give the same output."""
    digest = hashlib.sha256(json.dumps(inputs(use_ocr), sort_keys=True).encode()).hexdigest()
    return f"{RELEASE}+{digest[:HASH_CHARS]}"
