"""An answer document: the question's header, the numbered questions and answers, the annexes.

Answer PDFs are made from one Word template: the question (`SCHRIFTELIJKE VRAAG`, number,
asker, date, minister, title, the numbered questions), then the answer headed
`ANTWOORD op vraag nr. N van D van NAAM`, then a list of annexes (`BIJLAGE(N)`) with links.
Each part is optional: a missing one leaves its fields empty, never breaks the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vpetl.errors import UnreadableValue

from .dates import DUTCH_DATE, parse_dutch_date, session_year
from .layout import Line, group_lines, inside
from .names import person_name
from .pdfpage import ReadPage
from .records import AnnexLink, BBox, NumberedItem, QuestionHeader, Table

ANSWER_HEAD = re.compile(
    r"ANTWOORD\s+op\s+vraag\s+nr\.?\s*(\d+)\s+van\s+(" + DUTCH_DATE.pattern[2:-2] + r")\s+van\s+"
    r"([A-ZÀ-ÖØ-Ý][A-ZÀ-ÖØ-Ý'’ .-]+?)(?=\s+[A-Z]?[a-z0-9]|\s*$|\s+\d)", re.IGNORECASE)
QUESTION_HEAD = re.compile(r"^SCHRIFTELIJKE\s+VRAAG\b", re.IGNORECASE)
ITEM = re.compile(r"^(\d{1,2})[.)]\s*(.*)$")
SUB_ITEM = re.compile(r"^([a-z])\)\s+(.*)$")
ANNEX_HEADING = re.compile(r"^BIJLAGEN?\s*:?$", re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class TextLine:
    """A line of the document's running text, wherever it came from (a PDF page, a Word paragraph)."""

    text: str
    page: int | None  # None: a format without pages (Word)
    bbox: BBox | None
    continues: bool  # set closer to the line above than paragraphs are: the same paragraph


@dataclass(frozen=True)
class Hyperlink:
    """A link in the document: where it points, where it stands, and the line it belongs to."""

    uri: str
    page: int | None
    bbox: BBox | None
    line: int  # index of the line it belongs to (links before the annex list are not annexes)


def read_lines(pages: list[ReadPage], tables: list[Table]) -> list[TextLine]:
    """The document's lines in reading order, leaving out text that belongs to a table."""
    out: list[TextLine] = []
    for page in pages:
        boxes = [c.bbox for t in tables for c in t.cells if c.page == page.page_number and c.bbox]
        lines = page.text_lines  # a page without tables: its lines as read
        if boxes:
            lines = group_lines([w for w in page.words if not any(inside(w, b, 1) for b in boxes)])
        prev: Line | None = None
        for ln in lines:
            close = prev is not None and ln.top - prev.bottom < 0.5 * prev.height
            out.append(TextLine(ln.text.strip(), page.page_number, ln.bbox, close))
            prev = ln
    return out


def pdf_hyperlinks(pages: list[ReadPage], lines: list[TextLine]) -> list[Hyperlink]:
    """The link annotations of a PDF, each tied to the last line above it."""
    out = []
    for page in pages:
        on_page = [(i, ln) for i, ln in enumerate(lines) if ln.page == page.page_number and ln.bbox]
        before = [i for i, ln in enumerate(lines) if ln.page is not None and ln.page < page.page_number]
        for link in page.hyperlinks:
            uri = link.get("uri")
            if not uri:
                continue
            above = [i for i, ln in on_page if ln.bbox and ln.bbox[1] <= link["top"] + 1]
            line = above[-1] if above else (before[-1] if before else -1)
            out.append(Hyperlink(uri, page.page_number, (link["x0"], link["top"], link["x1"], link["bottom"]), line))
    return out


def parse_header(lines: list[TextLine]) -> tuple[QuestionHeader, int, int]:
    """The question's header; returns it with the index where the question body starts and
    the index of the answer's header (len(lines) when there is none). A value the document
    states but that cannot be (an impossible date) is left empty and said in `unreadable`."""
    header = QuestionHeader()
    texts = [ln.text for ln in lines]
    answer_at = next((i for i, t in enumerate(texts) if t.upper().startswith("ANTWOORD")), len(texts))
    q_at = next((i for i, t in enumerate(texts[:10]) if QUESTION_HEAD.match(t)), None)
    body_start = 0
    if q_at is not None:
        header.page, header.bbox = lines[q_at].page, lines[q_at].bbox
        body_start = _question_block(texts, q_at, header)
    body_start = _title(lines, body_start, answer_at, header)
    _from_answer_head(" ".join(texts[answer_at:answer_at + 4]), header)
    if header.minister is None and answer_at < len(texts):
        header.minister = _minister_above(texts[max(0, answer_at - 4):answer_at])
    if header.date_asked:
        header.session_year = session_year(header.date_asked)
    return header, body_start, answer_at


def _date(text: str, header: QuestionHeader) -> date | None:
    """A date of the header; an impossible one is recorded on the header, not raised."""
    try:
        return parse_dutch_date(text)
    except UnreadableValue as exc:
        header.unreadable.append(str(exc))
        return None


def _question_block(texts: list[str], q_at: int, header: QuestionHeader) -> int:
    """Number, asker, date and minister (with the minister's title) under SCHRIFTELIJKE VRAAG;
    returns the index of the line after them."""
    i = q_at + 1
    while i < min(len(texts), q_at + 12):
        t = texts[i]
        if m := re.match(r"^nr\.?\s*(\d+)", t, re.IGNORECASE):
            header.number = int(m[1])
        elif m := re.match(r"^van\s+(.+)$", t):
            header.asker = person_name(m[1])
        elif m := re.match(r"^datum\s*:?\s*(.+)$", t, re.IGNORECASE):
            header.date_asked = _date(m[1], header)
        elif m := re.match(r"^aan\s+(.+)$", t):
            header.minister = person_name(m[1])
            i = _minister_title(texts, i, header)
            return i + 1
        i += 1
    return i


def _minister_title(texts: list[str], i: int, header: QuestionHeader) -> int:
    """The capitalised lines under `aan NAAM` that name the minister's office; returns the last one's index."""
    title_lines = []
    while i + 1 < len(texts) and texts[i + 1].isupper() and "MINISTER" in texts[i + 1]:
        title_lines.append(texts[i + 1])
        i += 1
    while i + 1 < len(texts) and texts[i + 1].isupper() and title_lines:
        title_lines.append(texts[i + 1])
        i += 1
    header.minister_title = " ".join(title_lines) or None
    return i


def _title(lines: list[TextLine], body_start: int, answer_at: int, header: QuestionHeader) -> int:
    """The title: the first paragraph of the body (lines closer together than paragraphs are);
    returns where the body goes on after it."""
    if body_start >= answer_at:
        return body_start
    title = [lines[body_start].text]
    j = body_start + 1
    while j < answer_at and lines[j].continues and not ITEM.match(lines[j].text):
        title.append(lines[j].text)
        j += 1
    header.title = " ".join(title)
    return j


def _from_answer_head(joined: str, header: QuestionHeader) -> None:
    """The answer's own header confirms or fills in number, date and asker."""
    if m := ANSWER_HEAD.search(joined):
        header.number = header.number or int(m[1])
        header.date_asked = header.date_asked or _date(m[2], header)
        header.asker = header.asker or person_name(m[3])


def _minister_above(before: list[str]) -> str | None:
    """The minister's name from the capitalised lines just above ANTWOORD (name, then office)."""
    for k, t in enumerate(before):
        if "MINISTER" in t and k > 0 and before[k - 1].isupper() and len(before[k - 1].split()) <= 5:
            return person_name(before[k - 1])
    return None


def numbered_items(lines: list[TextLine]) -> list[NumberedItem]:
    """'1. ...' starts an item, 'a) ...' a sub-item ('2.a'); other lines continue the last."""
    items: list[tuple[str, str, int | None]] = []
    parent = ""
    for ln in lines:
        text = ln.text
        if m := ITEM.match(text):
            parent = m[1]
            items.append((m[1], m[2], ln.page))
        elif (m := SUB_ITEM.match(text)) and parent:
            items.append((f"{parent}.{m[1]}", m[2], ln.page))
        elif items:
            number, sofar, page = items[-1]
            items[-1] = (number, f"{sofar} {text}".strip(), page)
    return [NumberedItem(n, " ".join(t.split()), p) for n, t, p in items]


def annex_links(lines: list[TextLine], start: int, links: list[Hyperlink]) -> list[AnnexLink]:
    """Annexes listed after the BIJLAGE(N) heading: titles, printed URLs and hyperlinks."""
    section = lines[start:]
    titles: list[str] = []
    found: list[tuple[str, int | None, BBox | None, str]] = []
    for ln in section[1:]:
        urls = URL.findall(ln.text)
        for url in urls:
            found.append((url.rstrip(".,;)"), ln.page, ln.bbox, "text"))
        if not urls and not ln.text.lower().startswith(("raadpleeg", "zie ")):
            m = ITEM.match(ln.text)
            titles.append(m[2] if m else ln.text)
    found += [(link.uri, link.page, link.bbox, "annotation") for link in links if link.line >= start]
    out: list[AnnexLink] = []
    seen: set[str] = set()
    for url, page_no, bbox, source in found:
        if url in seen:
            continue
        seen.add(url)
        i = len(out)
        title = titles[i] if i < len(titles) else None
        box = (round(bbox[0], 2), round(bbox[1], 2), round(bbox[2], 2), round(bbox[3], 2)) if bbox else None
        out.append(AnnexLink(f"Bijlage {i + 1}", title, url, page_no, box, source))
    return out


def parse_answer(pages: list[ReadPage], tables: list[Table]
                 ) -> tuple[QuestionHeader, list[NumberedItem], list[NumberedItem], list[AnnexLink]]:
    """Header, numbered questions, numbered answers and annex links of an answer PDF's pages."""
    lines = read_lines(pages, tables)
    return parse_answer_lines(lines, pdf_hyperlinks(pages, lines))


def parse_answer_lines(lines: list[TextLine], links: list[Hyperlink]
                       ) -> tuple[QuestionHeader, list[NumberedItem], list[NumberedItem], list[AnnexLink]]:
    """Header, numbered questions, numbered answers and annex links of an answer's lines."""
    header, body_start, answer_at = parse_header(lines)
    annex_at = next((i for i, ln in enumerate(lines) if i > answer_at and ANNEX_HEADING.match(ln.text)),
                    len(lines))
    question_end = answer_at
    # The minister's name and title stand just above ANTWOORD: they belong to neither part.
    while question_end > body_start and lines[question_end - 1].text.isupper():
        question_end -= 1
    answer_start = answer_at + 1
    while answer_start < annex_at and (lines[answer_start].text.lower().startswith(("op vraag", "van "))):
        answer_start += 1
    questions = numbered_items(lines[body_start:question_end])
    answers = numbered_items(lines[answer_start:annex_at])
    annexes = annex_links(lines, annex_at, links) if annex_at < len(lines) else []
    return header, questions, answers, annexes
