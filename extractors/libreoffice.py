"""Old and open office formats (.doc, .odt, .ods) converted by LibreOffice, where it is installed.

Word 97-2003 files are still common among answers; python-docx reads only .docx. LibreOffice
in headless mode converts them as the parliament's own tools would, on a leash (`leash`: no
network, no links, no macros, no recalculation, killed whole with its budget or its run).
Where it is not installed the document is stored unread, with the reason (it "needs
conversion"), and a later `vpetl reextract` reads it once LibreOffice is there."""

from __future__ import annotations

import io
import shutil
import zipfile

from vpetl.errors import UnreadableDocument

from . import leash, sniff

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
    if media == sniff.ODS:
        data = without_formulas(data)
    with leash.workspace() as tmp:
        source = tmp / f"document.{name}"
        source.write_bytes(data)
        try:  # a profile of its own: conversions never wait on each other, and none sees another's
            leash.run(command, ["--convert-to", FILTERS[target], "--outdir", str(tmp), str(source)], tmp,
                      CONVERT_TIMEOUT)
        except leash.ConversionTimeout as exc:
            raise NeedsConversion(f"LibreOffice did not convert the .{name} file in {CONVERT_TIMEOUT:g} s") from exc
        out = tmp / f"document.{sniff.SUFFIX[target]}"
        if not out.is_file():
            raise NeedsConversion(f"LibreOffice could not convert the .{name} file (damaged, or protected)")
        return out.read_bytes(), target


TABLE_FORMULA = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}formula"


def without_formulas(data: bytes) -> bytes:
    """An .ods whose cells keep their cached values and lose their formulas.

    LibreOffice recalculates a sheet it did not write whatever its profile says (a cached 0
    became `#NAME?`), and a formula may call out (`WEBSERVICE`). vpetl never evaluates a
    formula: it reads the value the document holds. So the formulas are taken out before
    LibreOffice sees the file; a formula without a cached value leaves its cell as it shows."""
    from lxml import etree

    archive = sniff.check_archive(data)  # sizes bounded before anything is inflated
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        content = etree.fromstring(archive.read("content.xml"), parser)
    except (KeyError, etree.XMLSyntaxError) as exc:
        raise NeedsConversion(f"a damaged .ods file: {type(exc).__name__}: {exc}") from exc
    for element in content.iter():
        element.attrib.pop(TABLE_FORMULA, None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in archive.infolist():  # mimetype first and stored, as ODF wants, like the rest as it was
            body = etree.tostring(content, xml_declaration=True, encoding="UTF-8") if info.filename == "content.xml" \
                else archive.read(info)
            z.writestr(info, body, compress_type=info.compress_type)
    return out.getvalue()
