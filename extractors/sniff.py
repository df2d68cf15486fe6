"""What a document is, from its bytes: the server's Content-Type and the URL are only hints.

A Word file served as `application/octet-stream` is still Word; an HTML page is never a
document. Word and Excel files are zip archives (docx, xlsx, ods) or OLE2 compound files
(doc, xls); their members are listed, never decompressed, to tell them apart."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections import Counter

from vpetl.errors import UnreadableDocument

from .thresholds import DEFAULT

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
HTML = "text/html"
PROTECTED = "application/x-password-protected"  # an Office file encrypted with a password (no standard type)
OTHER = "application/octet-stream"

WORD = (DOCX, DOC, ODT)
SPREADSHEETS = (XLSX, XLS, ODS, CSV)
READABLE = (PDF, *WORD, *SPREADSHEETS)  # what the extractors read (doc and odt/ods through LibreOffice)
SUFFIX = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", DOC: "doc", XLS: "xls", ODT: "odt", ODS: "ods", CSV: "csv"}

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF_BYTES = 1024  # a PDF's header may follow a little junk; readers accept it
# A zip whose members would inflate beyond this is refused before any is read (a zip bomb
# disguised as .docx or .xlsx); real answers and annexes inflate to a few MB.
MAX_UNZIPPED = 256 * 1024 * 1024
MAX_RATIO = 200  # and no member may inflate more than this many times (XML compresses ~10-30x)


class UnsafeArchive(UnreadableDocument, ValueError):
    """A zip-based document that would inflate beyond the limits: refused unread."""


def media_type(data: bytes) -> str:
    """The media type of a document's bytes (OTHER when it is none vpetl knows)."""
    head = data[:SNIFF_BYTES]
    if is_pdf(head):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if data.startswith(OLE2):
        return _ole2(data)
    text = as_text(head)
    if text is None:
        return OTHER
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html", "<?xml")) or "<html" in lowered[:200]:
        return HTML
    return CSV if _delimited(text) else OTHER


def check_archive(data: bytes) -> zipfile.ZipFile:
    """The zip of a docx/xlsx/ods, opened only when its declared sizes are within the limits."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > MAX_UNZIPPED:
            raise UnsafeArchive(f"its members would inflate to more than {MAX_UNZIPPED // 2**20} MB (a zip bomb?)")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise UnsafeArchive(f"member {info.filename!r} would inflate {info.file_size // info.compress_size}x "
                                "(a zip bomb?)")
    return archive


def _zipped(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return OTHER
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "mimetype" in names:
        declared = zipfile.ZipFile(io.BytesIO(data)).read("mimetype")[:100].decode("ascii", "replace").strip()
        return declared if declared in (ODT, ODS) else OTHER
    return OTHER


def _ole2(data: bytes) -> str:
    """Word or Excel 97-2003: the compound file's directory names its main stream (UTF-16). A
    password-protected .docx or .xlsx is a compound file too, holding its encrypted package."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return PROTECTED
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return XLS
    return OTHER


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:SNIFF_BYTES]


def as_text(data: bytes) -> str | None:
    """The bytes as text, when they are text (UTF-8 with or without BOM, or Windows-1252)."""
    if b"\x00" in data[:SNIFF_BYTES]:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


DELIMITERS = ";,\t|"


def delimiter(text: str) -> str | None:
    """The field delimiter of delimited text: the one that splits most records into the same
    number of fields (two at least). Python's csv.Sniffer gives up when a note line under the
    table lacks the delimiter; decimal commas inside `;`-separated fields do not mislead this:
    they split records unevenly."""
    found = _shape(text)
    return found[0] if found else None


def _shape(text: str) -> tuple[str, float, float] | None:
    """The delimiter (the one whose most common number of fields most records have); the share
    of the records it splits (two fields or more) that have that number; and the share of all
    records it splits. A title above the table or a note under it holds no delimiter: one field,
    which leaves the first share alone."""
    best: tuple[float, int, str, float, float] | None = None
    sample = text[:DEFAULT.csv_sample_chars]
    for delim in DELIMITERS:  # records, not lines: a quoted field may hold a delimiter or a line break
        rows = [row for row in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delim),
                                                DEFAULT.csv_sample_rows) if any(field.strip() for field in row)]
        if not rows:
            return None
        split = [row for row in rows if len(row) >= 2]
        if not split:
            continue
        width, count = max(Counter(len(row) for row in split).items(), key=lambda kv: (kv[1], kv[0]))
        key = (count / len(rows), width, delim, count / len(split), len(split) / len(rows))
        best = key if best is None or key[:2] > best[:2] else best
    return (best[2], best[3], best[4]) if best else None


def _delimited(text: str) -> bool:
    """Records with the same number of fields (two at least): a CSV file. Most records are split
    by the delimiter (a title line above the header and notes under a short table are not), and
    most of those agree."""
    if sum(1 for line in text[:DEFAULT.csv_sample_chars].splitlines() if line.strip()) < 2:
        return False
    found = _shape(text)
    return found is not None and found[1] >= DEFAULT.csv_agreement and found[2] >= DEFAULT.csv_split


