"""A local mirror of the parliament's services, serving the fixture corpus over real HTTP.

Routes (as `../shared/vlpar-api.md` describes the real ones):
    /api/search/query/{query}?page=&max=   search, paged, `count` as a string
    /e/opendata/schv/{id}                  a written question (JSON with Accept: application/json, else XML)
    /files/pfile?id=N, /pfile?id=N         documents, with ETag and Last-Modified
    /link?id=N                             short links: a redirect to the document (or to an HTML page)
    /pagina/{name}                         HTML pages
URLs inside responses that name a parliament host point at the mirror itself."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "mirror"
PARLIAMENT_URL = re.compile(r"https?://(?:ws\.vlpar\.be|www\.vlaamsparlement\.be|docs\.vlaamsparlement\.be)")
MAX_PAGE_SIZE = 100


class Corpus:
    """The files a mirror serves, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records = {int(p.stem): json.loads(p.read_text(encoding="utf-8"))
                        for p in sorted((root / "records").glob("*.json"))}
        self.links = json.loads((root / "links.json").read_text())
        self.requests: list[str] = []  # every path asked for, for tests and benchmarks
        self.mtime = formatdate(max(p.stat().st_mtime for p in root.rglob("*") if p.is_file()), usegmt=True)

    def hits(self, query: str) -> list[dict]:
        """Search hits for a query; only `zittingsjaar=` and `nummer=` filters are understood."""
        year = re.search(r"zittingsjaar=([\d-]+)", query)
        number = re.search(r"nummer=(\d+)", query)
        records = [r for r in self.records.values()
                   if (not year or r["zittingsjaar"] == year[1]) and (not number or r["vraagnummer"] == int(number[1]))]
        records.sort(key=lambda r: (r.get("last_modified") or "", r["id"]), reverse=True)
        return [self._hit(r) for r in records]

    @staticmethod
    def _hit(r: dict) -> dict:
        tags = [("zittingsjaar", r["zittingsjaar"]), ("legislatuur", r.get("legislatuur")),
                ("nummer", str(r["vraagnummer"])), ("soort", "SCHV"), ("documenttype", "vraag en antwoord"),
                ("aggregaattype", "Schriftelijke vraag"), ("titel", r["titel"]),
                ("themadatum", r.get("themadatum")), ("statusdatumSchvBeantwoord", r.get("statusdatumSchvBeantwoord")),
                ("minister", f"{r['minister']['naam']}, {r['minister']['voornaam']}"),
                ("vraagsteller", f"{r['vraagsteller']['naam']}, {r['vraagsteller']['voornaam']}"),
                ("opendata", f"https://ws.vlpar.be/e/opendata/schv/{r['id']}"),
                ("last_modified", r.get("last_modified"))]
        tags += [("thema", t) for t in r.get("thema", [])]
        tags += [("document", f["URL"]) for f in r.get("bestand-ordered", [])[:1]]
        return {"id": f"http://be.vlp.feed/{r['id']}", "date": r.get("themadatum"), "mimetype": "text/html",
                "title": r["titel"], "url": f"https://www.vlaamsparlement.be/nl/parlementair-werk/"
                                            f"schriftelijke-vragen/{r['id']}",
                "metatags": {"metatag": [{"name": k, "value": v} for k, v in tags if v is not None]}}


def record_xml(r: dict) -> str:
    """The XML form of a record (the service's default without Accept: application/json)."""
    def el(tag: str, value) -> str:
        if value is None:
            return f"<{tag}/>"
        if isinstance(value, dict):
            return f"<{tag}>" + "".join(el(k, v) for k, v in value.items()) + f"</{tag}>"
        return f"<{tag}>{escape(str(value))}</{tag}>"
    parts = []
    for key, value in r.items():
        if key == "thema":
            parts.append("<themas>" + "".join(el("thema", t) for t in value) + "</themas>")
        elif key == "procedureverloop":
            parts.append("<procedureverloop>" + "".join(el("stap", s) for s in value) + "</procedureverloop>")
        elif key == "bestand-ordered":
            parts.append("<bestand-ordered>" + "".join(el("URL", f["URL"]) for f in value) + "</bestand-ordered>")
        else:
            parts.append(el(key, value))
    return '<?xml version="1.0" encoding="UTF-8"?>\n<schv>' + "".join(parts) + "</schv>\n"


class Handler(BaseHTTPRequestHandler):
    corpus: Corpus  # set on the subclass made by make_server
    server_version = "vpetl-mirror/0.1"

    def log_message(self, format: str, *args) -> None:  # quiet; the client keeps its own log
        pass

    @property
    def base(self) -> str:
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        return f"http://{host}"

    def do_GET(self) -> None:
        self.corpus.requests.append(self.path)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path.startswith("/api/search/query/"):
            return self._search(unquote(path[len("/api/search/query/"):]), query)
        if m := re.fullmatch(r"/e/opendata/schv/(\d+)", path):
            return self._record(int(m[1]))
        if path in ("/files/pfile", "/pfile") and query.get("id", "").isdigit():
            return self._file(self.corpus.root / "files" / f"{query['id']}.pdf", "application/pdf")
        if path == "/link" and query.get("id") in self.corpus.links:
            self.send_response(302)
            self.send_header("Location", self.base + self.corpus.links[query["id"]])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if m := re.fullmatch(r"/pagina/([\w-]+)", path):
            return self._file(self.corpus.root / "pages" / f"{m[1]}.html", "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _rewrite(self, text: str) -> str:
        return PARLIAMENT_URL.sub(self.base, text)

    def _search(self, q: str, query: dict) -> None:
        hits = self.corpus.hits(q)
        size = min(int(query.get("max", 10)), MAX_PAGE_SIZE)
        page = max(int(query.get("page", 1)), 1)
        chunk = hits[(page - 1) * size: page * size]
        first = (page - 1) * size + 1
        body = {"count": str(len(hits)), "firstindex": str(first), "lastindex": str(first + len(chunk) - 1),
                "result": [dict(h, index=first + i, rank=10) for i, h in enumerate(chunk)], "facet_category": []}
        self._send(200, self._rewrite(json.dumps(body, ensure_ascii=False)).encode(), "application/json")

    def _record(self, qid: int) -> None:
        record = self.corpus.records.get(qid)
        if record is None:
            return self._send(404, b"no such question", "text/plain")
        if "json" in (self.headers.get("Accept") or ""):
            body, ctype = json.dumps(record, ensure_ascii=False), "application/json; charset=utf-8"
        else:
            body, ctype = record_xml(record), "application/xml; charset=utf-8"
        self._send(200, self._rewrite(body).encode(), ctype, {"Last-Modified": self.corpus.mtime})
        return None

    def _file(self, path: Path, content_type: str) -> None:
        if not path.is_file():
            return self._send(404, b"no such file", "text/plain")
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        self._send(200, data, content_type, {"ETag": etag, "Last-Modified": self.corpus.mtime})
        return None


def make_server(root: Path = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A mirror server bound to host:port (port 0: a free one); call serve_forever() to run it."""
    handler = type("MirrorHandler", (Handler,), {"corpus": Corpus(root)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def start(root: Path = DEFAULT_ROOT, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Run a mirror in a background thread; returns the server and its base URL."""
    server = make_server(root, host, port)
    threading.Thread(target=server.serve_forever, name="vpetl-mirror", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"
