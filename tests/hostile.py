"""A hostile imitation of the parliament's services: a real HTTP server on 127.0.0.1 that
answers each path as a case says (any status, headers and bytes, sent slowly if asked).

A case is one written question: its record and its answer are served as the case wants, so a
whole run meets every case at once, and each outcome is read off that question."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from vpetl.vlpar import mirror

SESSION = "2030-2031"  # a session year no fixture uses
FIRST_ID = 9_000_001


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    trickle: float = 0.0  # seconds between single bytes (0: all at once)


def record(qid: int, files: list[str] | None = None, **fields: object) -> dict:
    """A well-formed record whose answer is `/files/pfile?id={qid}`, with `fields` on top."""
    base = {"id": qid, "vraagnummer": qid - FIRST_ID + 1, "titel": f"Hostile case {qid}", "zittingsjaar": SESSION,
            "thema": ["Test"], "vraagsteller": {"voornaam": "A", "naam": "Sker"},
            "minister": {"voornaam": "M", "naam": "Inister"}, "themadatum": "2030-10-01",
            "statusdatumSchvBeantwoord": "2030-10-20",
            "procedureverloop": [{"datum": "2030-10-01T00:00:00", "status": "Vraag gesteld"},
                                 {"datum": "2030-10-20T00:00:00", "status": "Tijdig beantwoord"}],
            "bestand-ordered": [{"URL": u, "type": "antwoord"} for u in
                                (files if files is not None else
                                 [f"https://docs.vlaamsparlement.be/files/pfile?id={qid}"])]}
    base.update(fields)
    return base


def as_json(value: object) -> Reply:
    return Reply(body=json.dumps(value, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"})


def pdf(data: bytes, **headers: str) -> Reply:
    return Reply(body=data, headers={"Content-Type": "application/pdf", **headers})


def fuzzed(data: bytes, seed: int, flips: int = 40) -> bytes:
    """A copy of a PDF with `flips` random bytes overwritten past its header (seeded)."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(16, len(out))] = rng.randrange(256)
    return bytes(out)


def pdf_of(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of these objects (1-based ids, the first the catalog), with a correct xref; `trailer`
    adds entries to its trailer (an /Encrypt)."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def encrypted_pdf() -> bytes:
    """A one-page PDF under the standard security handler whose password is not empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"]
    return pdf_of(objects, b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] ")


class HostileSite:
    """Serves `replies` by path (with query); the search lists every question id in `questions`."""

    def __init__(self, search: Callable[[int], Reply] | None = None) -> None:
        self.replies: dict[str, Reply] = {}
        self.questions: list[int] = []
        self.searches = search  # the reply to each page of any search, instead of the questions' hits
        self.requests: list[str] = []  # every path asked for
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path.startswith("/api/search/query/") and site.searches:
                    reply = site.searches(int(parse_qs(parts.query).get("page", ["1"])[0]))
                elif parts.path.startswith("/api/search/query/"):
                    reply = site.search()
                else:
                    reply = site.replies.get(self.path) or Reply(404, body=b"not here")
                etag = reply.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:  # conditional, where a case has an ETag
                    reply = Reply(304, {"ETag": etag})
                try:
                    send(self, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should with a server this slow

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(mirror.SHUTDOWN_POLL,), daemon=True).start()

    def search(self) -> Reply:
        hits = [{"id": f"http://be.vlp.feed/{qid}", "title": f"case {qid}",
                 "url": f"https://www.vlaamsparlement.be/nl/schriftelijke-vragen/{qid}",
                 "metatags": {"metatag": [{"name": "zittingsjaar", "value": SESSION},
                                          {"name": "opendata", "value": f"https://ws.vlpar.be/e/opendata/schv/{qid}"}]}}
                for qid in self.questions]
        return as_json({"count": str(len(hits)), "firstindex": "1", "lastindex": str(len(hits)), "result": hits})

    def question(self, record_reply: Reply, answer: Reply | None = None) -> int:
        """A new question id whose record (and answer, at pfile?id=ID) are served as given."""
        qid = FIRST_ID + len(self.questions)
        self.questions.append(qid)
        self.replies[f"/e/opendata/schv/{qid}"] = record_reply
        if answer is not None:
            self.replies[f"/files/pfile?id={qid}"] = answer
        return qid

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    headers = {"Content-Length": str(len(reply.body)), **reply.headers}
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if not reply.trickle:
        handler.wfile.write(reply.body)
        return
    for i in range(len(reply.body)):
        handler.wfile.write(reply.body[i:i + 1])
        handler.wfile.flush()
        time.sleep(reply.trickle)
