"""Old and open office formats (.doc, .odt, .ods) converted by LibreOffice, where it is installed.

Word 97-2003 files are still common among answers; python-docx reads only .docx. LibreOffice
in headless mode converts them as the parliament's own tools would. Where it is not installed
the document is stored unread, with the reason (it "needs conversion"), and a later
`vpetl reextract` reads it once LibreOffice is there."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from vpetl.errors import UnreadableDocument

from . import sniff

CONVERTED = {sniff.DOC: sniff.DOCX, sniff.ODT: sniff.DOCX, sniff.ODS: sniff.XLSX}
FILTERS = {sniff.DOCX: "docx:MS Word 2007 XML", sniff.XLSX: "xlsx:Calc MS Excel 2007 XML"}
CONVERT_TIMEOUT = 120.0  # seconds: a real answer converts in a few; the extraction budget bounds it too
INSTALL_HINT = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"


class NeedsConversion(UnreadableDocument, ValueError):
    """A document vpetl can only read once it is converted (or cannot read at all)."""


def soffice() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, media: str) -> tuple[bytes, str]:
    """The document converted to the format vpetl reads (.docx or .xlsx), and that format."""
    target = CONVERTED[media]
    command = soffice()
    name = sniff.SUFFIX[media]
    if command is None:
        raise NeedsConversion(f"a .{name} file needs conversion: install LibreOffice ({INSTALL_HINT}), "
                              "then `vpetl reextract` reads it")
    with tempfile.TemporaryDirectory(prefix="vpetl-convert-") as tmp:
        source = Path(tmp) / f"document.{name}"
        source.write_bytes(data)
        profile = Path(tmp) / "profile"  # a profile of its own: conversions never wait on each other
        try:
            subprocess.run([command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                            "--convert-to", FILTERS[target], "--outdir", tmp, str(source)],
                           capture_output=True, timeout=CONVERT_TIMEOUT, check=False,
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise NeedsConversion(f"LibreOffice did not convert the .{name} file in {CONVERT_TIMEOUT:g} s") from exc
        out = Path(tmp) / f"document.{sniff.SUFFIX[target]}"
        if not out.is_file():
            raise NeedsConversion(f"LibreOffice could not convert the .{name} file (damaged, or protected)")
        return out.read_bytes(), target
