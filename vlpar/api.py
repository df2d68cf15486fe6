"""The open-data API: search (discovery) and written-question records, parsed tolerantly.

Shapes follow `../shared/vlpar-api.md`; unknown fields are kept in `raw` so nothing is lost
when the knowledge improves."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import quote

from defusedxml import DefusedXmlException, ElementTree

from .client import Client, Response

SEARCH_PAGE_SIZE = 100  # the service's maximum
MAX_SPLIT_DEPTH = 16  # halvings of a date range: 16 take any span since 2004 down to single days
MAX_HITS = 10_000  # the service serves no more hits of one query: larger ranges are split
WRITTEN_QUESTIONS = ("requiredfields=paginatype:Parlementair%20document.aggregaat:Vraag%20of%20interpellatie."
                     "aggregaattype:Schriftelijke%20vraag")


@dataclass(frozen=True)
class Query:
    """What to discover: a session year, a publication date range, a question number, words."""

    session_year: str | None = None
    since: date | None = None
    until: date | None = None
    number: int | None = None
    term: str | None = None

    def expression(self) -> str:
        parts = [self.term] if self.term else []
        if self.session_year:
            parts.append(f"+inmeta:zittingsjaar={self.session_year}")
        if self.since or self.until:
            parts.append(f"inmeta:publicatiedatum:daterange:{self.since or ''}..{self.until or ''}")
        if self.number:
            parts.append(f"+inmeta:nummer={self.number}")
        return " ".join(parts) + "&" + WRITTEN_QUESTIONS

    def split(self) -> tuple[Query, Query] | None:
        """Two queries that cover this one's publication dates in halves (None: a single day)."""
        since = self.since or (date(int(self.session_year[:4]), 9, 1) if self.session_year else date(2004, 1, 1))
        until = self.until or date.today()
        if since >= until:
            return None
        middle = since + (until - since) // 2
        return replace(self, since=since, until=middle), replace(self, since=middle + timedelta(days=1), until=until)


@dataclass
class Hit:
    """One search hit: one document of a question (its question, answer, an annex)."""

    id: int | None  # the question's
    url: str | None
    title: str | None
    metatags: dict[str, object]
    raw: dict
    document_id: int | None = None  # the pfile id of the document the hit is about
    documenttype: str | None = None  # "vraag en antwoord", "antwoord", "bijlage", ...
    mimetype: str | None = None

    @property
    def number(self) -> int | None:
        """The question number the hit's `nummer` metatag gives."""
        return _number(self.metatags.get("nummer"))

    @property
    def last_modified(self) -> str | None:
        value = self.metatags.get("last_modified")
        return value if isinstance(value, str) else None


@dataclass
class Record:
    id: int
    number: int | None
    title: str | None
    session_year: str | None
    themes: list[str]
    asker: str | None
    minister: str | None
    date_asked: date | None
    date_answered: date | None
    status: str | None
    files: list[str]
    raw: dict = field(repr=False)
    file_types: dict[str, str] = field(default_factory=dict)  # URL -> the record's own word for it ("antwoord")


FEED_ID = re.compile(r"be\.vlp\.feed/(?P<question>\d{1,18})(?:/pfls/(?P<document>\d{1,18}))?")


def _trailing_id(url: str | None) -> int | None:
    m = re.search(r"(\d+)/?$", url or "")
    return int(m[1]) if m else None


def parse_hit(item: dict) -> Hit:
    tags: dict[str, object] = {}
    for tag in (item.get("metatags") or {}).get("metatag", []) or []:
        name, value = tag.get("name"), tag.get("value")
        if name in tags:  # a repeated name (several themes) becomes a list
            prev = tags[name]
            tags[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            tags[name] = value
    opendata = tags.get("opendata")
    feed = FEED_ID.search(str(item.get("id") or ""))  # http://be.vlp.feed/{question}/pfls/{document}
    qid = (int(feed["question"]) if feed else None) or _trailing_id(opendata if isinstance(opendata, str) else None)
    document = int(feed["document"]) if feed and feed["document"] else None
    return Hit(qid or _trailing_id(item.get("url")), item.get("url"), item.get("title"), tags, item, document,
               _text(tags.get("documenttype")), _text(item.get("mimetype")))


class SearchError(ValueError):
    """A search page that cannot be read (HTML, broken JSON, fields of the wrong type)."""


def search(client: Client, query: Query | str, on_response: Callable[[Response], None] | None = None,
           max_hits: int = MAX_HITS, depth: int = 0) -> Iterator[Hit]:
    """Every hit of a search, page by page; a query with more hits than the service serves is
    split by publication date until every part fits. Each raw response goes to `on_response`.

    Bounded whatever the service answers: at most the pages its first `count` (capped at
    `max_hits`) calls for, and at most MAX_SPLIT_DEPTH halvings of a date range."""
    expression = query.expression() if isinstance(query, Query) else query
    pages = 1
    page = 1
    while page <= pages:
        url = (f"{client.api_base}/api/search/query/{quote(expression, safe='+:=&.%')}"
               f"?collection=vp_collection&page={page}&max={SEARCH_PAGE_SIZE}&sort=date")
        resp = client.get(url, accept="application/json")
        if on_response:
            on_response(resp)
        count, hits = read_search_page(resp.body or b"", url)
        if page == 1:
            if count > max_hits and isinstance(query, Query) and depth < MAX_SPLIT_DEPTH and (halves := query.split()):
                for half in halves:
                    yield from search(client, half, on_response, max_hits, depth + 1)
                return
            pages = -(-min(count, max_hits) // SEARCH_PAGE_SIZE)  # fixed by the first page: no endless paging
        yield from hits
        if len(hits) < SEARCH_PAGE_SIZE:  # a short page is the last
            return
        page += 1


def read_search_page(body: bytes, url: str) -> tuple[int, list[Hit]]:
    """A search page's `count` and hits; SearchError (with the URL) when it cannot be read."""
    try:
        data = json.loads(body)
        count = int(data.get("count") or 0)
        results = data.get("result") or []
        if not isinstance(results, list):
            raise TypeError(f"'result' is a {type(results).__name__}, not a list of hits")
        hits = [parse_hit(item) for item in results]
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise SearchError(f"unreadable search page {url}: {type(exc).__name__}: {str(exc)[:200]}") from exc
    return count, hits


def record_url(client: Client, question_id: int) -> str:
    return f"{client.api_base}/e/opendata/schv/{question_id}"


def _text(value: object) -> str | None:
    """A text field as text: a number is spelled out, anything else (an object, a list) is None
    (the raw record keeps it)."""
    if isinstance(value, str):
        return value or None
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _name(person: object) -> str | None:
    if isinstance(person, dict):
        return " ".join(t for p in (person.get("voornaam"), person.get("naam")) if (t := _text(p))) or None
    return _text(person)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


MAX_ID = 2**63 - 1  # the store's BIGINT


class RecordError(ValueError):
    """A record the source sent that cannot be read as a written question: bad input, not a bug."""


def parse_record(body: bytes | dict, question_id: int | None = None) -> Record:
    """A written question's record, from its JSON or its XML form (or the JSON already parsed).

    `question_id` is the id the record was asked for: it stands in for a missing `id` (the XML
    form has none), and a record that names another question is refused (it would overwrite
    that question). Whatever the bytes are (HTML, broken JSON, an entity attack, nesting
    without end, fields of the wrong type), a record that cannot be read raises RecordError."""
    try:
        record = _parse_record(body, question_id)
    except RecordError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, UnicodeDecodeError,
            ElementTree.ParseError, DefusedXmlException) as exc:
        raise RecordError(f"unreadable record: {type(exc).__name__}: {exc}") from exc
    if not 0 < record.id <= MAX_ID:
        raise RecordError(f"unreadable record: id {record.id} is out of range")
    if question_id is not None and record.id != question_id:
        raise RecordError(f"the record of question {question_id} says it is question {record.id}")
    return record


def _parse_record(body: bytes | dict, question_id: int | None) -> Record:
    if isinstance(body, dict):
        raw = body
    else:
        raw = json.loads(body) if body.lstrip().startswith(b"{") else _xml_to_dict(body)
    head = body[:60] if isinstance(body, bytes) else b""
    if not isinstance(raw, dict) or raw.get("id") is None and question_id is None:
        raise RecordError(f"unreadable record: it has no id (the body starts with {head!r})")
    if not RECORD_FIELDS & raw.keys():  # an HTML page parses as XML too
        raise RecordError(f"unreadable record: not a written question's record (the body starts with {head!r})")
    steps = [s for s in _listed(raw.get("procedureverloop")) if isinstance(s, dict)]
    answered = raw.get("statusdatumSchvBeantwoord") or next(
        (s.get("datum") for s in steps if "beantwoord" in str(s.get("status", "")).lower()), None)
    files = [(url, _text(f.get("type")) if isinstance(f, dict) else None)
             for f in _listed(raw.get("bestand-ordered"))
             if isinstance(url := f.get("URL") if isinstance(f, dict) else f, str) and url]
    return Record(
        id=int(raw["id"] if raw.get("id") is not None else question_id or 0), number=_number(raw.get("vraagnummer")),
        title=_text(raw.get("titel")) or _text(raw.get("onderwerp")), session_year=_text(raw.get("zittingsjaar")),
        themes=[t for v in _listed(raw.get("thema")) if (t := _text(v))],
        asker=_name(raw.get("vraagsteller")), minister=_name(raw.get("minister")),
        date_asked=_date(raw.get("themadatum") or (steps[0].get("datum") if steps else None)),
        date_answered=_date(answered), status=_text(steps[-1].get("status")) if steps else None,
        files=[url for url, _ in files], raw=raw, file_types={url: kind for url, kind in files if kind})


RECORD_FIELDS = {"titel", "onderwerp", "zittingsjaar", "procedureverloop", "bestand-ordered", "vraagsteller"}


def _listed(value: object) -> list:
    """A field that may be a list, a single item, or absent, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _number(value: object) -> int | None:
    """A question number; one that is not a plain number ("312bis") is None, and stays in the raw
    record for a person to read, rather than failing the whole question."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def _xml_to_dict(body: bytes) -> dict:
    """The XML form, read with a hardened parser, into the JSON form's shape.

    As callers of the live service read it: repeated `procedureverloop` elements (or a single
    one), each with `status` and `datum`; `themas/thema`; repeated `bestand-ordered` elements,
    each holding a `URL` child beside others (or one container of `URL` elements); no `id`."""
    root = ElementTree.fromstring(body)

    def conv(el):
        children = list(el)
        if not children:
            return el.text
        out: dict = {}
        for child in children:
            value = conv(child)
            if child.tag in out:
                out[child.tag] = (out[child.tag] if isinstance(out[child.tag], list) else [out[child.tag]]) + [value]
            else:
                out[child.tag] = value
        return out

    data = conv(root)
    if not isinstance(data, dict):
        return {}
    if "themas" in data:
        themes = data.pop("themas")
        data["thema"] = _listed(themes.get("thema")) if isinstance(themes, dict) else []
    if "procedureverloop" in data:
        data["procedureverloop"] = _items(data["procedureverloop"], "status")
    if "bestand-ordered" in data:
        data["bestand-ordered"] = [{"URL": f} if isinstance(f, str) else f
                                   for f in _items(data["bestand-ordered"], "URL")]
    return data


def _items(value: object, key: str) -> list:
    """Repeated elements as a list of items. An element is an item when it has `key` as a single
    child (a step's `status`, a file's `URL`); otherwise it is a container whose children are
    the items (`<procedureverloop><stap>...</stap></procedureverloop>`, a list of `URL`s)."""
    items = []
    for element in _listed(value):
        if isinstance(element, dict) and not isinstance(element.get(key), str):
            for child in element.values():
                items += _listed(child)
        else:
            items.append(element)
    return items
