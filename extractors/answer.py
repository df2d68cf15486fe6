"""An answer document: the question's header, the numbered questions and answers, the annexes.

Answer PDFs are made from one Word template: the question (`SCHRIFTELIJKE VRAAG`, number,
asker, date, minister, title, the numbered questions), then the answer headed
`ANTWOORD op vraag nr. N van D van NAAM`, then a list of annexes (`BIJLAGE(N)`) with links.
Each part is optional: a missing one leaves its fields empty, never breaks the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._typing import PDF
from .dates import DUTCH_DATE, parse_dutch_date, session_year
from .layout import Line, group_lines, inside, page_words
from .names import person_name
from .records import AnnexLink, BBox, NumberedItem, QuestionHeader, Table

ANSWER_HEAD = re.compile(
    r"ANTWOORD\s+op\s+vraag\s+nr\.?\s*(\d+)\s+van\s+(" + DUTCH_DATE.pattern[2:-2] + r")\s+van\s+"
    r"([A-ZÀ-ÖØ-Ý][A-ZÀ-ÖØ-Ý'’ .-]+?)(?=\s+[A-Z]?[a-z0-9]|\s*$|\s+\d)", re.IGNORECASE)
QUESTION_HEAD = re.compile(r"^SCHRIFTELIJKE\s+VRAAG\b", re.IGNORECASE)
ITEM = re.compile(r"^(\d{1,2})[.)]\s*(.*)$")
SUB_ITEM = re.compile(r"^([a-z])\)\s+(.*)$")
ANNEX_HEADING = re.compile(r"^BIJLAGEN?\s*:?$", re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class _TextLine:
    page: int
    line: Line

    @property
    def text(self) -> str:
        return self.line.text.strip()


def read_lines(pdf: PDF, tables: list[Table]) -> list[_TextLine]:
    """The document's lines in reading order, leaving out text that belongs to a table."""
    out: list[_TextLine] = []
    for page in pdf.pages:
        boxes = [c.bbox for t in tables for c in t.cells if c.page == page.page_number]
        words = [w for w in page_words(page) if not any(inside(w, b, 1) for b in boxes)]
        out.extend(_TextLine(page.page_number, ln) for ln in group_lines(words))
    return out


def parse_header(lines: list[_TextLine]) -> tuple[QuestionHeader, int, int]:
    """The question's header; returns it with the index where the question body starts and
    the index of the answer's header (len(lines) when there is none)."""
    header = QuestionHeader()
    texts = [ln.text for ln in lines]
    answer_at = next((i for i, t in enumerate(texts) if t.upper().startswith("ANTWOORD")), len(texts))
    body_start = 0
    q_at = next((i for i, t in enumerate(texts[:10]) if QUESTION_HEAD.match(t)), None)
    if q_at is not None:
        header.page, header.bbox = lines[q_at].page, lines[q_at].line.bbox
        i = q_at + 1
        while i < min(len(texts), q_at + 12):
            t = texts[i]
            if m := re.match(r"^nr\.?\s*(\d+)", t, re.IGNORECASE):
                header.number = int(m[1])
            elif m := re.match(r"^van\s+(.+)$", t):
                header.asker = person_name(m[1])
            elif m := re.match(r"^datum\s*:?\s*(.+)$", t, re.IGNORECASE):
                header.date_asked = parse_dutch_date(m[1])
            elif m := re.match(r"^aan\s+(.+)$", t):
                header.minister = person_name(m[1])
                title_lines = []
                while i + 1 < len(texts) and texts[i + 1].isupper() and "MINISTER" in texts[i + 1]:
                    title_lines.append(texts[i + 1])
                    i += 1
                while i + 1 < len(texts) and texts[i + 1].isupper() and title_lines:
                    title_lines.append(texts[i + 1])
                    i += 1
                header.minister_title = " ".join(title_lines) or None
                i += 1
                break
            i += 1
        body_start = i
    # The title: the first paragraph of the body (lines closer together than paragraphs are).
    if body_start < answer_at:
        first = lines[body_start]
        title = [first.text]
        j = body_start + 1
        while (j < answer_at and lines[j].page == first.page and not ITEM.match(lines[j].text)
               and lines[j].line.top - lines[j - 1].line.bottom < 0.5 * lines[j - 1].line.height):
            title.append(lines[j].text)
            j += 1
        header.title = " ".join(title)
        body_start = j
    # The answer's own header confirms or fills in number, date and asker.
    joined = " ".join(texts[answer_at:answer_at + 4])
    if m := ANSWER_HEAD.search(joined):
        header.number = header.number or int(m[1])
        header.date_asked = header.date_asked or parse_dutch_date(m[2])
        header.asker = header.asker or person_name(m[3])
    if header.minister is None and answer_at < len(texts):
        before = [t for t in texts[max(0, answer_at - 4):answer_at]]
        for k, t in enumerate(before):
            if "MINISTER" in t and k > 0 and before[k - 1].isupper() and len(before[k - 1].split()) <= 5:
                header.minister = person_name(before[k - 1])
                break
    if header.date_asked:
        header.session_year = session_year(header.date_asked)
    return header, body_start, answer_at


def numbered_items(lines: list[_TextLine]) -> list[NumberedItem]:
    """'1. ...' starts an item, 'a) ...' a sub-item ('2.a'); other lines continue the last."""
    items: list[tuple[str, str, int]] = []
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


def annex_links(pdf: PDF, lines: list[_TextLine], start: int) -> list[AnnexLink]:
    """Annexes listed after the BIJLAGE(N) heading: titles, printed URLs and link annotations."""
    section = lines[start:]
    titles: list[str] = []
    found: list[tuple[str, int, BBox, str]] = []
    for ln in section[1:]:
        urls = URL.findall(ln.text)
        for url in urls:
            found.append((url.rstrip(".,;)"), ln.page, ln.line.bbox, "text"))
        if not urls and not ln.text.lower().startswith(("raadpleeg", "zie ")):
            m = ITEM.match(ln.text)
            titles.append(m[2] if m else ln.text)
    if section:
        first_page, first_top = section[0].page, section[0].line.top
        for page in pdf.pages[first_page - 1:]:
            for link in page.hyperlinks:
                uri = link.get("uri")
                if uri and (page.page_number > first_page or link["top"] >= first_top):
                    found.append((uri, page.page_number, (link["x0"], link["top"], link["x1"], link["bottom"]),
                                  "annotation"))
    out: list[AnnexLink] = []
    seen: set[str] = set()
    for url, page_no, bbox, source in found:
        if url in seen:
            continue
        seen.add(url)
        i = len(out)
        title = titles[i] if i < len(titles) else None
        x0, top, x1, bottom = (round(v, 2) for v in bbox)
        out.append(AnnexLink(f"Bijlage {i + 1}", title, url, page_no, (x0, top, x1, bottom), source))
    return out


def parse_answer(pdf: PDF, tables: list[Table]
                 ) -> tuple[QuestionHeader, list[NumberedItem], list[NumberedItem], list[AnnexLink]]:
    """Header, numbered questions, numbered answers and annex links of an answer PDF."""
    lines = read_lines(pdf, tables)
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
    annexes = annex_links(pdf, lines, annex_at) if annex_at < len(lines) else []
    return header, questions, answers, annexes
