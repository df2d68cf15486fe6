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

from vpetl.errors import SourceError
from vpetl.settings import BY_AGGREGATE_TYPE as BY_AGGREGATE_TYPE  # the filters live in the settings
from vpetl.settings import BY_INITIATIVE as BY_INITIATIVE

from .client import Client, Response
from .forms import display, head, read_date, read_flag

SEARCH_PAGE_SIZE = 100  # the service's maximum
MAX_SPLIT_DEPTH = 16  # halvings of a date range: 16 take any span since 2004 down to single days
MAX_HITS = 10_000  # the service serves no more hits of one query: larger ranges are split
WRITTEN_QUESTIONS = BY_INITIATIVE  # the default filter on kind (Settings.search_filter)
WRITTEN_QUESTION_TYPE = "Schriftelijke vraag"  # a hit's `aggregaattype` (or `soort` SCHV): other kinds are dropped
REPEATED_SHARE = 0.5  # a later page repeating more than this share of its hits: the service is not paging


@dataclass(frozen=True)
class Query:
    """What to discover: a session year, a publication date range, a question number, words."""

    session_year: str | None = None
    since: date | None = None
    until: date | None = None
    number: int | None = None
    term: str | None = None

    def expression(self, required: str = WRITTEN_QUESTIONS) -> str:
        """The search expression, with `required` (the filter on kind) after the `&`."""
        parts = [self.term] if self.term else []
        if self.session_year:
            parts.append(f"+inmeta:zittingsjaar={self.session_year}")
        if self.since or self.until:
            parts.append(f"inmeta:publicatiedatum:daterange:{self.since or ''}..{self.until or ''}")
        if self.number:
            parts.append(f"+inmeta:nummer={self.number}")
        return " ".join(parts) + "&" + required

    def split(self) -> tuple[Query, Query] | None:
        """Two queries that cover this one's publication dates in halves (None: a single day)."""
        start = int(self.session_year[:4]) if self.session_year and self.session_year[:4].isdigit() else None
        since = self.since or (date(start, 9, 1) if start else date(2004, 1, 1))
        # today, or the end of a session year still to come (its answers are published until today)
        until = self.until or max(date.today(), date(start + 1, 9, 30) if start else date.today())
        if since >= until:
            return None
        middle = since + (until - since) // 2
        return replace(self, since=since, until=middle), replace(self, since=middle + timedelta(days=1), until=until)


@dataclass
class Hit:
    """One search hit: the question itself, one of its documents (question, answer, an annex), or
    a line of its journal; or a hit of another kind that the filter let through."""

    id: int | None  # the question's
    url: str | None
    title: str | None
    metatags: dict[str, object]
    raw: dict
    document_id: int | None = None  # the pfile id of the document the hit is about
    documenttype: str | None = None  # "vraag en antwoord", "antwoord", "bijlage", ...
    mimetype: str | None = None
    form: str = "other"  # how its id reads: "question", "document", "journal" (FEED_ID), or "other"

    @property
    def number(self) -> int | None:
        """The question number the hit's `nummer` metatag gives."""
        return _number(self.metatags.get("nummer"))

    @property
    def last_modified(self) -> str | None:
        value = self.metatags.get("last_modified")
        return value if isinstance(value, str) else None

    def other_kind(self) -> str | None:
        """What the hit is when it is not a written question (callers of the live service drop
        these: the backend returns them despite the filter), else None. A hit that does not say
        its kind is taken for what was asked."""
        kind, sort = _text(_first(self.metatags.get("aggregaattype"))), _text(_first(self.metatags.get("soort")))
        if kind and kind.strip().lower() != WRITTEN_QUESTION_TYPE.lower():
            return kind
        if sort and sort.strip().upper() != "SCHV":
            return f"soort {sort}"
        opendata = _text(_first(self.metatags.get("opendata"))) or ""
        entity = re.search(r"/e/opendata/([a-z]+)/\d", opendata)
        if entity and entity[1] != "schv":
            return f"opendata {entity[1]}"
        return None


@dataclass(frozen=True)
class PersonRef:
    """A person as a question's record names them: the service's id and the names it gives."""

    id: int
    first_name: str | None
    last_name: str | None


def person_ref(value: object) -> PersonRef | None:
    """`vraagsteller` or `minister` as a PersonRef; None without a usable id (the XML form has
    none; the raw record keeps whatever was sent)."""
    if not isinstance(value, dict):
        return None
    raw = value.get("id")
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return PersonRef(int(text), _text(value.get("voornaam")), _text(value.get("naam")))


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
    timely: bool | None = None  # `tijdig`, however it is spelled
    sources: dict[str, str] = field(default_factory=dict)  # field -> where in the record its value came from
    asker_ref: PersonRef | None = None  # `vraagsteller` with its id, when the record gives one
    minister_ref: PersonRef | None = None

    @property
    def display_title(self) -> str | None:
        """The title with its whitespace normalised (92% of real ones hold `"  -  "`)."""
        return display(self.title)


# The three forms of a hit's id: http://be.vlp.feed/{question}, .../{question}/pfls/{pfile}
# (one document), .../{question}/jnl/{n} (a line of its journal).
FEED_ID = re.compile(r"be\.vlp\.feed/(?P<question>\d{1,18})"
                     r"(?:/pfls/(?P<document>\d{1,18})|/jnl/(?P<line>\d{1,18}))?/?$")


def _trailing_id(url: str | None) -> int | None:
    m = re.search(r"(\d{1,18})/?$", url or "")
    return int(m[1]) if m else None


def _first(value: object) -> object:
    """A metatag's value, the first when it repeats."""
    return value[0] if isinstance(value, list) and value else value


def parse_hit(item: dict) -> Hit:
    tags: dict[str, object] = {}
    for tag in _listed((item.get("metatags") or {}).get("metatag")):
        name, value = tag.get("name"), tag.get("value")
        if not isinstance(name, str):
            continue
        if name in tags:  # a repeated name (several themes) becomes a list
            prev = tags[name]
            tags[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            tags[name] = value
    opendata = _first(tags.get("opendata"))
    feed = FEED_ID.search(str(item.get("id") or ""))
    form = "other" if not feed else "document" if feed["document"] else "journal" if feed["line"] else "question"
    qid = (int(feed["question"]) if feed else None) or _trailing_id(opendata if isinstance(opendata, str) else None)
    document = int(feed["document"]) if feed and feed["document"] else None
    return Hit(qid or _trailing_id(_text(item.get("url"))), _text(item.get("url")), _text(item.get("title")), tags,
               item, document, _text(_first(tags.get("documenttype"))),
               _text(item.get("mimetype")) or _text(_first(tags.get("mimetype"))), form)


class SearchError(SourceError, ValueError):
    """A search page that cannot be read (HTML, broken JSON, fields of the wrong type, JSON that
    is not a search page): never an empty result."""


class InconsistentSearch(SearchError):
    """The service contradicts itself (later pages repeating earlier ones, halves of a date range
    that count as many hits as the whole): what it said cannot be trusted, so discovery ends
    without taking any question from it."""


@dataclass
class Page:
    count: int
    hits: list[Hit]


def search(client: Client, query: Query | str, on_response: Callable[[Response], None] | None = None,
           max_hits: int = MAX_HITS, depth: int = 0, required: str = WRITTEN_QUESTIONS,
           first: Page | None = None) -> Iterator[Hit]:
    """Every hit of a search, page by page; a query with more hits than the service serves is
    split by publication date until every part fits. Each raw response goes to `on_response`.
    `required` is the filter on kind (`BY_INITIATIVE`, `BY_AGGREGATE_TYPE`); `first` a first
    page already fetched.

    Bounded whatever the service answers: at most the pages its first `count` (capped at
    `max_hits`) calls for, at most MAX_SPLIT_DEPTH halvings of a date range, and halves must
    shrink (InconsistentSearch when they do not); a page repeating earlier ones ends it too."""
    expression = query.expression(required) if isinstance(query, Query) else query
    first = first or _page(client, expression, 1, on_response)
    halves = query.split() if isinstance(query, Query) and first.count > max_hits and depth < MAX_SPLIT_DEPTH else None
    if isinstance(query, Query) and halves:
        firsts = [_page(client, half.expression(required), 1, on_response) for half in halves]
        _check_split(first.count, [p.count for p in firsts])
        for half, page in zip(halves, firsts):
            yield from search(client, half, on_response, max_hits, depth + 1, required, page)
        return
    yield from _pages(client, expression, first, -(-min(first.count, max_hits) // SEARCH_PAGE_SIZE), on_response)


def _pages(client: Client, expression: str, first: Page, pages: int,
           on_response: Callable[[Response], None] | None) -> Iterator[Hit]:
    """The hits of `pages` pages at most, the first one given; a short page is the last."""
    seen: set[str] = set()
    page, current = 1, first
    while True:
        _check_repeats(page, current.hits, seen)
        yield from current.hits
        if len(current.hits) < SEARCH_PAGE_SIZE or page >= pages:
            return
        page += 1
        current = _page(client, expression, page, on_response)


def _page(client: Client, expression: str, page: int, on_response: Callable[[Response], None] | None) -> Page:
    url = (f"{client.api_base}/api/search/query/{quote(expression, safe='+:=&.%')}"
           f"?collection=vp_collection&page={page}&max={SEARCH_PAGE_SIZE}&sort=date")
    resp = client.get(url, accept="application/json")
    if on_response:
        on_response(resp)
    return Page(*read_search_page(resp.body or b"", url))


SPLIT_SLACK = 0.01  # hits published between two requests: the halves may count this share more than the whole


def _check_split(whole: int, halves: list[int]) -> None:
    """Two halves of a date range hold the range's hits between them, give or take what was
    published meanwhile; a service that counts as many in each half as in the whole (a `count`
    that never ends) would be split down to single days, thousands of requests."""
    if sum(halves) > whole * (1 + SPLIT_SLACK) + SEARCH_PAGE_SIZE:
        raise InconsistentSearch(f"a search of {whole} hits split in two by date gives "
                                 f"{' and '.join(map(str, halves))}: the counts do not shrink, so the dates cannot be "
                                 "split into parts the service serves whole")


def _check_repeats(page: int, hits: list[Hit], seen: set[str]) -> None:
    """A later page that mostly repeats earlier ones: the service is not paging (without it, a
    service that adds one new hit to every page would be read to the cap)."""
    keys = [str(h.raw["id"]) for h in hits if h.raw.get("id") is not None]
    repeated = sum(k in seen for k in keys)
    if page > 1 and repeated > REPEATED_SHARE * len(keys):
        raise InconsistentSearch(f"page {page} of a search repeats {repeated} of its {len(keys)} hits from "
                                 "earlier pages: the service is not paging")
    seen.update(keys)


def read_search_page(body: bytes, url: str) -> tuple[int, list[Hit]]:
    """A search page's `count` and hits; SearchError (with the URL and the body's first bytes)
    when it cannot be read, or is JSON but not a search page (an error object, another
    endpoint's body): that is never an empty result."""
    try:
        data = json.loads(body)
        results = data.get("result") if isinstance(data, dict) else None
        if not isinstance(results, list):
            what = (f"'result' is {type(results).__name__}" if isinstance(data, dict) and "result" in data
                    else "no 'result'" if isinstance(data, dict) else f"a JSON {type(data).__name__}")
            raise SearchError(f"not a search page ({what}, not a list of hits)")
        hits = [parse_hit(item) for item in results]
        count = _count(data.get("count"), len(hits))
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, SearchError) else f"{type(exc).__name__}: {str(exc)[:200]}"
        raise SearchError(f"unreadable search page {url}: {reason}; the body starts with {head(body)}") from exc
    return count, hits


def _count(value: object, page_hits: int) -> int:
    """A page's `count` (a number, or a number as text); missing, it is the page's own hits when
    the page is short, or the most the service serves."""
    if value is None:
        return page_hits if page_hits < SEARCH_PAGE_SIZE else MAX_HITS
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > 12:
        raise ValueError(f"'count' {str(value)[:40]!r} is not a number")
    return int(text)


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


MAX_ID = 2**63 - 1  # the store's BIGINT


class RecordError(SourceError, ValueError):
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
    files = [(url, _text(f.get("type")) if isinstance(f, dict) else None)
             for f in _listed(raw.get("bestand-ordered"))
             if isinstance(url := f.get("URL") if isinstance(f, dict) else f, str) and url]
    title_key = "titel" if _text(raw.get("titel")) else "onderwerp"
    record = Record(
        id=int(raw["id"] if raw.get("id") is not None else question_id or 0), number=_number(raw.get("vraagnummer")),
        title=_text(raw.get(title_key)), session_year=_text(raw.get("zittingsjaar")),
        themes=[t for v in _listed(raw.get("thema")) if (t := _text(v))],
        asker=_name(raw.get("vraagsteller")), minister=_name(raw.get("minister")),
        date_asked=None, date_answered=None, status=None,
        files=[url for url, _ in files], raw=raw, file_types={url: kind for url, kind in files if kind},
        timely=read_flag(raw.get("tijdig")), asker_ref=person_ref(raw.get("vraagsteller")),
        minister_ref=person_ref(raw.get("minister")))
    record.sources = {k: v for k, v in (("number", "record vraagnummer" if record.number is not None else None),
                                        ("title", f"record {title_key}" if record.title else None),
                                        ("asker", "record vraagsteller" if record.asker else None),
                                        ("minister", "record minister" if record.minister else None),
                                        ("themes", "record thema" if record.themes else None),
                                        ("asker_id", "record vraagsteller.id" if record.asker_ref else None),
                                        ("minister_id", "record minister.id" if record.minister_ref else None))
                      if v}
    _dates_from_steps(record, [s for s in _listed(raw.get("procedureverloop")) if isinstance(s, dict)])
    return record


# How a step of `procedureverloop` says what happened (section 7: their order is not documented,
# so a step is chosen by its status text, never by its position). Matched in lower case.
ASKED = ("vraag gesteld", "vraag ingediend", "ingediend", "gesteld")
ANSWERED = ("beantwoord", "antwoord ontvangen", "antwoord gepubliceerd")


def _dates_from_steps(record: Record, steps: list[dict]) -> None:
    """The date asked, the date answered and the status, from the steps whose status says so
    (the record-level `themadatum` and `statusdatumSchvBeantwoord` of older forms first, where
    they are). Each value's source is noted in `record.sources`."""
    dated = sorted(((read_date(s.get("datum")) or date.max), text) for s in steps if (text := _text(s.get("status"))))
    asked = [(d, t) for d, t in dated if t.lower().startswith(ASKED)]
    answered = [(d, t) for d, t in dated if any(w in t.lower() for w in ANSWERED)]
    for name, key, chosen in (("date_asked", "themadatum", asked),
                              ("date_answered", "statusdatumSchvBeantwoord", answered)):
        value = read_date(_text(record.raw.get(key)))
        day, text = next(((d, t) for d, t in chosen if d != date.max), (None, None))
        if value or day:
            setattr(record, name, value or day)
            record.sources[name] = f"record {key}" if value else f"record procedureverloop '{text}'"
    latest = [max(dated, key=lambda step: step[0] if step[0] != date.max else date.min)] if dated else []
    status = (answered or asked or latest)[:1]  # the first answer, else the question, else the latest step
    if status:
        record.status = status[0][1]
        record.sources["status"] = f"record procedureverloop '{record.status}'"


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


# The readers of record fields, for the pipeline to read search metatags alike.
first_value, read_number, text_value = _first, _number, _text
