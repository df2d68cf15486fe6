"""A local mirror of the parliament's services, serving the fixture corpus over real HTTP.

Routes (as `../shared/vlpar-api.md` describes the real ones):
    /api/search/query/{query}?page=&max=   search, paged, `count` as a string
    /e/opendata/schv/{id}                  a written question (JSON with Accept: application/json, else XML)
    /e/opendata/vv/{id}                    a member of parliament (JSON, as the real body in ../shared/real-api)
    /files/pfile?id=N, /pfile?id=N         documents, with ETag and Last-Modified
    /link?id=N                             short links: a redirect to the document (or to an HTML page)
    /pagina/{name}                         HTML pages
URLs inside responses that name a parliament host point at the mirror itself.

It serves the forms the live service is attested to use (`../shared/vlpar-api.md` section 7):
date-times with `+0100`/`+0200`, `tijdig` as `"J"`/`"N"`, titles with `"  -  "`, keys in
alphabetical order, no record-level `themadatum` (the dates are search metatags), a hit for the
question itself, one per document and one per journal line, and a stray hit of another kind in a
session year's search. `legacy_forms` serves the record files as they are written (the forms
vpetl's first mirror served), for a regression test.

Faults (`--faults`) make a share of requests fail the ways real servers and networks do, so
the client's retries can be driven through each: 429 and 503 with Retry-After, a hang past
the client's timeout, a connection dropped mid-body, a wrong Content-Length, an HTML page where
a PDF was expected, a redirect loop, a redirect to a foreign host."""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

DEFAULT_ROOT = Path(str(resources.files("vpetl.fixtures") / "mirror"))  # shipped as package data
PARLIAMENT_URL = re.compile(r"https?://(?:ws\.vlpar\.be|www\.vlaamsparlement\.be|docs\.vlaamsparlement\.be)")
MAX_PAGE_SIZE = 100
MAX_HITS = 10_000  # the real service serves at most this many hits of one query
SHUTDOWN_POLL = 0.05  # seconds: how often a serving loop looks for shutdown() (the default 0.5 s is each test's wait)
KEPT_SEARCHES = 16  # queries whose hits are kept for their later pages (a split search pages a few at once)
MIMETYPES = {".pdf": "application/pdf", ".html": "text/html", ".csv": "text/csv",
             ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TRANSIENT = ("429", "503", "hang", "drop", "length", "html", "loop")
KINDS = TRANSIENT + ("foreign",)


@dataclass
class Faults:
    """Which share of requests fails, and how. Deterministic for a seed."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    hang_seconds: float = 3.0
    rng: random.Random = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @classmethod
    def parse(cls, spec: str | None, seed: int = 0, hang_seconds: float = 3.0) -> Faults:
        """'0.2' spreads 20% over the transient kinds; '503=0.1,foreign=0.01' names kinds."""
        rates: dict[str, float] = {}
        for item in filter(None, (spec or "").split(",")):
            kind, _, share = item.rpartition("=")
            if kind and kind not in KINDS:
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
            try:
                rate = float(share)
            except ValueError:
                raise ValueError(f"{share!r} is not a share") from None
            if not 0 <= rate <= 1:
                raise ValueError(f"{share!r} is not a share between 0 and 1")
            if kind:
                rates[kind] = rate
            else:
                rates.update({k: rate / len(TRANSIENT) for k in TRANSIENT})
        return cls(rates, seed, hang_seconds)

    def draw(self) -> str | None:
        with self.lock:
            x = self.rng.random()
            for kind, share in self.rates.items():
                if x < share:
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                    return kind
                x -= share
        return None


class Corpus:
    """The files a mirror serves. Records are read at each request, so a record or document
    changed on disk is served changed (a republication)."""

    def __init__(self, root: Path, max_hits: int = MAX_HITS, legacy_forms: bool = False) -> None:
        self.root = root
        self.max_hits = max_hits
        self.legacy_forms = legacy_forms
        self.links = json.loads((root / "links.json").read_text())
        self.requests: list[str] = []  # every path asked for, for tests and benchmarks
        self.cache: dict[str, tuple[int, dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.files: tuple[int, dict[str, Path]] = (-1, {})  # the files folder's mtime, and pfile id -> file
        self.searches: dict[str, Result] = {}  # a query's result as its first page found it
        self.searches_lock = threading.Lock()

    def file(self, pfile: int | str) -> Path | None:
        """A document's file, whatever its format; the folder is listed again only when it changed
        (a search builds a hit per document: no listing per hit)."""
        folder = self.root / "files"
        stamp = folder.stat().st_mtime_ns
        with self.lock:
            if self.files[0] != stamp:
                index: dict[str, Path] = {}
                for path in sorted(folder.iterdir()):
                    index.setdefault(path.stem, path)
                self.files = (stamp, index)
            return self.files[1].get(str(pfile))

    def record(self, qid: int) -> tuple[dict[str, Any], Path] | None:
        path = self.root / "records" / f"{qid}.json"
        return (json.loads(path.read_text(encoding="utf-8")), path) if path.is_file() else None

    def records(self) -> list[dict[str, Any]]:
        """Every record, re-read only where its file changed (a session has thousands)."""
        with self.lock:
            seen = {}
            for entry in os.scandir(self.root / "records"):
                if entry.name.endswith(".json"):
                    mtime = entry.stat().st_mtime_ns
                    cached = self.cache.get(entry.name)
                    if cached is None or cached[0] != mtime:
                        cached = (mtime, json.loads(Path(entry.path).read_text(encoding="utf-8")))
                    seen[entry.name] = cached
            self.cache = seen
            return [record for _, record in (seen[name] for name in sorted(seen))]

    @staticmethod
    def published(r: dict[str, Any]) -> str:
        return r.get("statusdatumSchvBeantwoord") or r.get("themadatum") or ""

    def search(self, query: str, page: int) -> Result:
        """A query's result as its first page found it: later pages page through that result, as
        a search engine's do, and are not searched again (a session's query has thousands of
        hits: searching again for every page of 100 made paging through it quadratic). Page 1
        searches anew, so a record changed on disk is found changed by the next search."""
        with self.searches_lock:
            kept = self.searches.get(query) if page > 1 else None
        if kept is not None:
            return kept
        result = self.result(query)
        with self.searches_lock:
            self.searches[query] = result
            while len(self.searches) > KEPT_SEARCHES:
                del self.searches[next(iter(self.searches))]  # the oldest first
        return result

    def result(self, query: str) -> Result:
        """What a query finds: `zittingsjaar=`, `nummer=`, `publicatiedatum:daterange:A..B`,
        `requiredfields=name:value.name:value` and plain words (matched in titles and themes) are
        understood. A session year's search also brings a hit of another kind, as the live
        backend does despite the filter. Hits are counted here and built page by page."""
        year = re.search(r"zittingsjaar=([^\s&+]+)", query)  # whatever is asked: "foo" finds nothing
        span = re.search(r"daterange:(\d{4}-\d\d-\d\d)?\.\.(\d{4}-\d\d-\d\d)?", query)
        required = re.search(r"requiredfields=([^&]*)", query)
        found = [r for r in self.records() if self._matches(r, query, year, span)]
        found.sort(key=lambda r: (self.published(r), r["id"]), reverse=True)
        result = Result(self, required[1] if required else None)
        for r in found:
            result.add(r)
        if year and result.ends and result.ends[-1] and not self.legacy_forms:
            result.stray = stray_hit(year[1])
        return result

    def hits_of(self, r: dict[str, Any], required: str | None) -> list[dict[str, Any]]:
        """A record's hits that have every field a `requiredfields=` expression asks for."""
        return [hit for hit in self._hits(r) if not required or _required(hit, required)]

    def _matches(self, r: dict[str, Any], query: str, year: re.Match[str] | None, span: re.Match[str] | None) -> bool:
        number = re.search(r"nummer=(\d+)", query)
        rest = re.sub(r"requiredfields=[^&]*|\S*inmeta:[^&\s]*|nummer=\d+", " ", query)
        words = [w.lower().strip("+") for w in rest.replace("&", " ").split() if w.strip("+")]
        when = self.published(r)[:10]
        if year and r["zittingsjaar"] != year[1] or number and self.number(r) != int(number[1]):
            return False
        if span and ((span[1] and when < span[1]) or (span[2] and when > span[2])):
            return False
        text = " ".join(str(t) for t in [r.get("titel"), *r.get("thema", [])]).lower()
        return all(w in text for w in words)

    @staticmethod
    def number(r: dict[str, Any]) -> int | None:
        """The question number the search knows: the record's, or the mirror's own note of it."""
        return r.get("vraagnummer") or (r.get("_search") or {}).get("nummer")

    def pfile(self, url: str) -> int | None:
        """The pfile id a file URL reaches (a short link by where it redirects)."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/link":
            parts = urlsplit(self.links.get(query.get("id", ""), ""))
            query = dict(parse_qsl(parts.query))
        return int(query["id"]) if parts.path.endswith("pfile") and query.get("id", "").isdigit() else None

    def _hits(self, r: dict[str, Any]) -> list[dict[str, Any]]:
        """The service's hits: one for the question itself, one for each of its files (with its
        `documenttype` and `mimetype`) and one for each line of its journal. (Legacy forms: a hit
        per file, or one for the question while it has none.)"""
        files = [(self.pfile(f["URL"]), f.get("type")) for f in r.get("bestand-ordered", [])]
        documents: list[tuple[int | None, str | None]] = [(p, kind) for p, kind in files if p is not None]
        if self.legacy_forms:
            return [self._hit(r, pfile, kind) for pfile, kind in documents or [(None, None)]]
        journal = [self._hit(r, None, None, line) for line in range(1, len(r.get("procedureverloop", [])) + 1)]
        return [self._hit(r, None, None), *(self._hit(r, pfile, kind) for pfile, kind in documents), *journal]

    def _hit(self, r: dict[str, Any], pfile: int | None, kind: str | None, line: int | None = None) -> dict[str, Any]:
        path = self.file(pfile) if pfile else None
        mimetype = MIMETYPES.get(path.suffix, "application/octet-stream") if path else "text/html"
        title = r["titel"] if self.legacy_forms else attested_title(r["titel"])
        tags = [("zittingsjaar", r["zittingsjaar"]), ("legislatuur", r.get("legislatuur")),
                ("nummer", str(self.number(r))), ("soort", "SCHV"),
                ("documenttype", kind or ("vraag" if self.legacy_forms or line is None else None)),
                ("paginatype", "Parlementair document"), ("aggregaat", "Vraag of interpellatie"),
                ("initiatief", "Schriftelijke vraag"), ("aggregaattype", "Schriftelijke vraag"), ("titel", title),
                ("themadatum", r.get("themadatum")), ("statusdatumSchvBeantwoord", r.get("statusdatumSchvBeantwoord")),
                ("minister", f"{r['minister']['naam']}, {r['minister']['voornaam']}"),
                ("vraagsteller", f"{r['vraagsteller']['naam']}, {r['vraagsteller']['voornaam']}"),
                ("opendata", f"https://ws.vlpar.be/e/opendata/schv/{r['id']}"),
                ("publicatiedatum", Corpus.published(r) or None),
                ("last_modified", r.get("last_modified"))]
        tags += [("thema", t) for t in r.get("thema", [])]
        feed = f"http://be.vlp.feed/{r['id']}" + (f"/pfls/{pfile}" if pfile else f"/jnl/{line}" if line else "")
        return {"id": feed, "date": r.get("themadatum"), "mimetype": mimetype,
                "title": title, "url": f"https://www.vlaamsparlement.be/nl/parlementair-werk/"
                                       f"schriftelijke-vragen/{r['id']}",
                "metatags": {"metatag": [{"name": k, "value": v} for k, v in tags if v is not None]}}


@dataclass
class Result:
    """A query's result: the records it found, in order, and where each one's hits end in the
    list of hits, which is built a page at a time (a session's hits are tens of thousands of
    dicts: kept whole, a few queries' would take hundreds of MB)."""

    corpus: Corpus
    required: str | None  # the query's `requiredfields=` expression
    records: list[dict[str, Any]] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)  # hits up to and including each record
    stray: dict[str, Any] | None = None  # the hit of another kind, second in the list

    def add(self, r: dict[str, Any]) -> None:
        n = len(self.corpus.hits_of(r, self.required))
        if n:
            self.records.append(r)
            self.ends.append((self.ends[-1] if self.ends else 0) + n)

    @property
    def count(self) -> int:
        return (self.ends[-1] if self.ends else 0) + (self.stray is not None)

    def page(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Hits start..stop-1 of the list, the stray hit second."""
        if self.stray is None:
            return self._hits(start, stop)
        head = self._hits(0, 1) if start == 0 else []
        stray = [self.stray] if start <= 1 < stop else []
        return (head + stray + self._hits(max(start, 2) - 1, stop - 1))[:max(stop - start, 0)]

    def _hits(self, start: int, stop: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        i = bisect.bisect_right(self.ends, start)  # the record whose hits hold hit `start`
        skip = start - (self.ends[i - 1] if i else 0)
        while i < len(self.records) and len(out) < stop - start:
            out += self.corpus.hits_of(self.records[i], self.required)[skip:]
            skip, i = 0, i + 1
        return out[:max(stop - start, 0)]


STRAY_ID = 1399999  # the stray hit's question (a question for explanation, not a written question)


def stray_hit(year: str) -> dict[str, Any]:
    """A hit of another kind (a question for explanation in committee), as the live backend
    returns some despite the filter: callers drop it on its `aggregaattype`."""
    tags = [("zittingsjaar", year), ("soort", "VI"), ("aggregaattype", "Vraag om uitleg"), ("nummer", "1"),
            ("documenttype", "vraag om uitleg"), ("titel", "Vraag om uitleg  -  Stand van zaken"),
            ("opendata", f"https://ws.vlpar.be/e/opendata/vi/{STRAY_ID}")]
    return {"id": f"http://be.vlp.feed/{STRAY_ID}", "mimetype": "text/html", "title": tags[5][1],
            "url": f"https://www.vlaamsparlement.be/nl/parlementair-werk/vragen-en-interpellaties/{STRAY_ID}",
            "metatags": {"metatag": [{"name": k, "value": v} for k, v in tags]}}


def _required(hit: dict[str, Any], fields: str) -> bool:
    """Whether a hit has every `name:value` of a `requiredfields=` expression (joined by `.`)."""
    tags = {t["name"]: t["value"] for t in hit["metatags"]["metatag"]}
    pairs = [p.partition(":") for p in unquote(fields).split(".") if p]
    return all(tags.get(name) == value for name, _, value in pairs)


def attested_title(title: object) -> object:
    """A title as 92% of real ones are spelled: `"  -  "` between its parts. A title that is
    not text (a test's malformed record) is served as it is: the mirror must not die on it."""
    return title.replace(" - ", "  -  ") if isinstance(title, str) else title


def attested_record(r: dict[str, Any]) -> dict[str, Any]:
    """A record file in the forms the live service is attested to serve: date-times with the
    Brussels offset without a colon (`+0100`), `tijdig` as `"J"`/`"N"`, titles with `"  -  "`,
    no record-level `themadatum` or `statusdatumSchvBeantwoord`, keys in alphabetical order."""
    out = {k: v for k, v in r.items() if k not in ("themadatum", "statusdatumSchvBeantwoord")}
    out["procedureverloop"] = [{**step, "datum": attested_datetime(step["datum"])} if step.get("datum") else step
                               for step in r.get("procedureverloop", [])]
    if isinstance(r.get("tijdig"), bool):
        out["tijdig"] = "J" if r["tijdig"] else "N"
    for key in ("titel", "onderwerp"):
        if isinstance(r.get(key), str):
            out[key] = attested_title(r[key])
    rewritten: dict[str, Any] = json.loads(json.dumps(out, sort_keys=True))
    return rewritten


def attested_datetime(value: str) -> str:
    """`2020-01-23T00:00:00` as the service writes it: `2020-01-23T00:00:00+0100`."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Brussels"))
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def record_xml(r: dict[str, Any]) -> str:
    """The XML form of a record (the service's default without Accept: application/json), as
    callers of the live service read it: no `id` element, `procedureverloop` repeated (one
    element per step, with `status` and `datum`), `themas/thema`, `bestand-ordered` repeated
    (one element per file, its `URL` beside other children)."""
    def el(tag: str, value: Any) -> str:
        if value is None:
            return f"<{tag}/>"
        if isinstance(value, dict):
            return f"<{tag}>" + "".join(el(k, v) for k, v in value.items()) + f"</{tag}>"
        return f"<{tag}>{escape(str(value))}</{tag}>"
    parts = []
    for key, value in r.items():
        if key == "id":
            continue
        if key == "thema":
            parts.append("<themas>" + "".join(el("thema", t) for t in value) + "</themas>")
        elif key in ("procedureverloop", "bestand-ordered"):
            parts += [el(key, item) for item in value]
        else:
            parts.append(el(key, value))
    return '<?xml version="1.0" encoding="UTF-8"?>\n<schv>' + "".join(parts) + "</schv>\n"


class Handler(BaseHTTPRequestHandler):
    corpus: Corpus  # set on the subclass made by make_server
    faults: Faults
    server_version = "vpetl-mirror/0.1"
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers (40 ms a response on Linux), which was most of a run's time.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet; the client keeps its own log
        pass

    @property
    def base(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*cast(tuple[str, int], self.server.server_address))
        return f"http://{host}"

    _head_only = False

    def do_HEAD(self) -> None:
        """What GET would answer, without the body (the headers a client checks first)."""
        self._head_only = True
        try:
            self.do_GET()
        finally:
            self._head_only = False

    def do_GET(self) -> None:
        self.corpus.requests.append(self.path)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        fault = self.faults.draw()
        if fault and self._inject(fault, path):
            return None
        if path.startswith("/api/search/query/"):
            return self._search(unquote(path[len("/api/search/query/"):]), query)
        if m := re.fullmatch(r"/e/opendata/schv/(\d+)", path):
            return self._record(int(m[1]))
        if m := re.fullmatch(r"/e/opendata/vv/(\d+)", path):
            return self._member(m[1])
        if path in ("/files/pfile", "/pfile") and query.get("id", "").isdigit():
            return self._document(query["id"])
        if path == "/link" and query.get("id") in self.corpus.links:
            return self._redirect(self.corpus.links[query["id"]])
        if m := re.fullmatch(r"/pagina/([\w-]+)", path):
            return self._file(self.corpus.root / "pages" / f"{m[1]}.html", "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/plain")

    def _inject(self, fault: str, path: str) -> bool:
        """Fail this request as `fault` says; False when the fault does not apply here."""
        if fault in ("429", "503"):
            self._send(int(fault), b"try again later", "text/plain", {"Retry-After": "1"})
        elif fault == "hang":
            time.sleep(self.faults.hang_seconds)
            self.close_connection = True
        elif fault in ("drop", "length"):
            body = b"%PDF-1.4 " + b"x" * 4000
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body) + (0 if fault == "drop" else 999)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if fault == "drop" else body)
            self.close_connection = True
        elif fault == "html":
            if "pfile" not in path:
                return False
            self._send(200, b"<!DOCTYPE html><html><body>Onderhoud</body></html>", "text/html; charset=utf-8")
        elif fault == "loop":
            self._redirect(self.path)
        elif fault == "foreign":
            self._redirect("http://foreign.example.org" + self.path)
        return True

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location if location.startswith("http") else self.base + location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, Any] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not self._head_only:
            self.wfile.write(body)

    def _rewrite(self, text: str) -> str:
        return PARLIAMENT_URL.sub(self.base, text)

    def _search(self, q: str, query: dict[str, Any]) -> None:
        size = min(int(query.get("max", 10)), MAX_PAGE_SIZE)
        page = max(int(query.get("page", 1)), 1)
        result = self.corpus.search(q, page)
        chunk = result.page((page - 1) * size, min(page * size, self.corpus.max_hits))
        first = (page - 1) * size + 1
        body = {"count": str(result.count), "firstindex": str(first), "lastindex": str(first + len(chunk) - 1),
                "result": [dict(h, index=first + i, rank=10) for i, h in enumerate(chunk)], "facet_category": []}
        self._send(200, self._rewrite(json.dumps(body, ensure_ascii=False)).encode(), "application/json")

    def _record(self, qid: int) -> None:
        found = self.corpus.record(qid)
        if found is None:
            return self._send(404, b"no such question", "text/plain")
        record, path = found
        record = {k: v for k, v in record.items() if not k.startswith("_")}  # the mirror's own notes stay here
        record = record if self.corpus.legacy_forms else attested_record(record)
        if "json" in (self.headers.get("Accept") or ""):
            body, ctype = json.dumps(record, ensure_ascii=False), "application/json; charset=utf-8"
        else:
            body, ctype = record_xml(record), "application/xml; charset=utf-8"
        return self._conditional(self._rewrite(body).encode(), ctype, path)

    def _member(self, member_id: str) -> None:
        """A member record as its file holds it: the real one where there is one (a copy of the
        body in ../shared/real-api), else one written in its shape (keys, types, date forms).
        Only the JSON form of a member record is known, so it is what is served."""
        path = self.corpus.root / "members" / f"{int(member_id)}.json"
        if not path.is_file():
            return self._send(404, b"no such member", "text/plain")
        return self._conditional(self._rewrite(path.read_text(encoding="utf-8")).encode(),
                                 "application/json;charset=UTF-8", path)

    def _document(self, pfile: str) -> None:
        """A document in its own format: a PDF as application/pdf, anything else (Word, Excel)
        as application/octet-stream, as file servers often do; readers must sniff the bytes."""
        path = self.corpus.file(pfile)
        if path is None:
            return self._send(404, b"no such file", "text/plain")
        return self._file(path, "application/pdf" if path.suffix == ".pdf" else "application/octet-stream")

    def _file(self, path: Path, content_type: str) -> None:
        if not path.is_file():
            return self._send(404, b"no such file", "text/plain")
        return self._conditional(path.read_bytes(), content_type, path)

    def _conditional(self, data: bytes, content_type: str, path: Path) -> None:
        """200 with ETag and Last-Modified, or 304 when the client has this version."""
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self._send(200, data, content_type, {"ETag": etag, "Last-Modified": modified})
        return None


def make_server(root: Path = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None,
                max_hits: int = MAX_HITS, legacy_forms: bool = False) -> ThreadingHTTPServer:
    """A mirror server bound to host:port (port 0: a free one); call serve_forever() to run it.
    `legacy_forms` serves the forms vpetl's first mirror served instead of the attested ones."""
    handler = type("MirrorHandler", (Handler,), {"corpus": Corpus(root, max_hits, legacy_forms),
                                                 "faults": faults or Faults()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def start(root: Path = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None,
          max_hits: int = MAX_HITS, legacy_forms: bool = False) -> tuple[ThreadingHTTPServer, str]:
    """Run a mirror in a background thread; returns the server and its base URL."""
    server = make_server(root, host, port, faults, max_hits, legacy_forms)
    threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL,), name="vpetl-mirror", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"
