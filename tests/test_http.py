"""The mirror and the client over real sockets: paging, record forms, redirects, faults."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vpetl.settings import Settings
from vpetl.vlpar import api, mirror
from vpetl.vlpar.client import Client, FetchError


@pytest.fixture
def client(mirror_base):
    return Client(Settings(api_base=mirror_base, rate=100))


def test_search_pages_through_every_hit(client, monkeypatch):
    monkeypatch.setattr(api, "SEARCH_PAGE_SIZE", 5)  # 64 hits: thirteen pages
    hits = list(api.search(client, api.Query(session_year="2019-2020")))
    # per question: one hit for itself, one per document (19 in all), one per journal line (29);
    # and one stray hit of another kind
    forms = [h.form for h in hits]
    assert (forms.count("question"), forms.count("document"), forms.count("journal")) == (16, 19, 29)
    assert [h.other_kind() for h in hits if h.other_kind()] == ["Vraag om uitleg"]
    assert len({h.id for h in hits if not h.other_kind()}) == 15
    assert len({(h.id, h.document_id) for h in hits if h.form == "document"}) == 19
    hit = next(h for h in hits if h.id == 1402289 and h.documenttype == "antwoord")
    assert (hit.document_id, hit.mimetype) == (1402290, "application/pdf")
    assert hit.metatags["thema"] == ["Economie", "Ondernemen"]  # a repeated metatag becomes a list
    assert hit.metatags["zittingsjaar"] == "2019-2020"
    assert list(api.search(client, api.Query(session_year="2020-2021"))) == []


def test_record_json_and_xml_agree(client):
    url = api.record_url(client, 1402289)
    as_json = api.parse_record(client.get(url, accept="application/json").body)
    xml = client.get(url)
    assert xml.content_type.startswith("application/xml")
    as_xml = api.parse_record(xml.body, 1402289)  # the XML form has no id: the one asked for stands in
    for rec in (as_json, as_xml):
        assert (rec.id, rec.number, rec.session_year) == (1402289, 289, "2019-2020")
        assert (rec.asker, rec.minister, rec.status) == ("Maurits Vande Reyde", "Hilde Crevits", "Tijdig beantwoord")
        assert rec.themes == ["Economie", "Ondernemen"]
        assert len(rec.files) == 3
    assert as_json.files == as_xml.files


def test_xml_parser_refuses_entity_expansion():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><schv><id>&a;</id></schv>'
    with pytest.raises(Exception, match="(?i)entit"):
        api.parse_record(bomb)


def test_short_link_redirects_to_the_document(client):
    resp = client.get("http://www.vlaamsparlement.be/link?id=9681")
    assert resp.body.startswith(b"%PDF-")
    assert resp.source_url == "http://www.vlaamsparlement.be/link?id=9681"
    assert resp.final_url == "https://docs.vlaamsparlement.be/files/pfile?id=1402518"
    assert resp.headers["etag"]


def test_short_link_to_an_html_page(client):
    resp = client.get("http://www.vlaamsparlement.be/link?id=9701")
    assert resp.content_type.startswith("text/html") and not resp.body.startswith(b"%PDF")


class _Scripted(BaseHTTPRequestHandler):
    """Answers from a script: each request takes the next (status, headers, body)."""

    script: list = []
    seen: list = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append((time.monotonic(), self.path, self.headers.get("User-Agent")))
        status, headers, body = self.script.pop(0) if self.script else (200, {}, b"ok")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


@pytest.fixture
def scripted():
    handler = type("H", (_Scripted,), {"script": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(mirror.SHUTDOWN_POLL,), daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_503_with_retry_after_is_retried(scripted):
    handler, base = scripted
    handler.script += [(503, {"Retry-After": "1"}, b"busy"), (200, {}, b"%PDF-1.4 ok")]
    resp = Client(Settings(api_base=base, rate=100)).get(f"{base}/files/pfile?id=1")
    assert resp.body == b"%PDF-1.4 ok" and resp.attempts == 2
    (t1, _, agent), (t2, _, _) = handler.seen
    assert t2 - t1 >= 0.9  # Retry-After honoured
    assert agent.startswith("vpetl/")


def test_short_body_is_detected_and_retried(scripted):
    handler, base = scripted
    handler.script += [(200, {"Content-Length": "100"}, b"%PDF-short"), (200, {}, b"%PDF-1.4 whole")]
    resp = Client(Settings(api_base=base, rate=100, backoff=0.01, timeout=2)).get(f"{base}/x")
    assert resp.body == b"%PDF-1.4 whole" and resp.attempts == 2


def test_redirect_to_a_foreign_host_is_refused(scripted):
    handler, base = scripted
    handler.script += [(302, {"Location": "http://evil.example.org/x.pdf"}, b"")]
    with pytest.raises(FetchError, match="not allowed") as err:
        Client(Settings(api_base=base, rate=100)).get(f"{base}/link?id=1")
    assert not err.value.retryable


def test_redirect_loop_ends(scripted):
    handler, base = scripted
    handler.script += [(302, {"Location": f"{base}/loop"}, b"")] * 10
    with pytest.raises(FetchError, match="redirects"):
        Client(Settings(api_base=base, rate=100, retries=1, max_redirects=3)).get(f"{base}/loop")


def test_404_is_final(scripted):
    handler, base = scripted
    handler.script += [(404, {}, b"gone")]
    with pytest.raises(FetchError, match="HTTP 404"):
        Client(Settings(api_base=base, rate=100)).get(f"{base}/x")
    assert len(handler.seen) == 1


def test_rate_limit_spaces_requests(scripted):
    handler, base = scripted
    client = Client(Settings(api_base=base, rate=5))
    started = time.monotonic()
    for _ in range(4):
        client.get(f"{base}/x")
    # the 4th request reached the server at least 0.6 s (less scheduling slack) after the client
    # began: 4 requests at 5/s. Not from the server's first stamp, which its thread takes as late
    # as a loaded machine runs it (0.45 s apart were seen so, under load 18)
    times = [t for t, _, _ in handler.seen]
    assert len(times) == 4 and times[-1] - started >= 0.55


@pytest.mark.parametrize("kind, error", [
    ("429", "HTTP 429"), ("503", "HTTP 503"), ("hang", "Timeout"), ("drop", "broken mid-body|Content-Length"),
    ("length", "Content-Length|broken mid-body"), ("loop", "redirects"), ("foreign", "not allowed"),
])
def test_each_mirror_fault_drives_the_client(kind, error):
    from vpetl.vlpar import mirror

    server, base = mirror.start(faults=mirror.Faults({kind: 1.0}, hang_seconds=1.0))
    try:
        client = Client(Settings(api_base=base, rate=100, retries=2, backoff=0.01, timeout=0.3, max_redirects=3))
        with pytest.raises(FetchError, match=error):
            client.get("https://docs.vlaamsparlement.be/files/pfile?id=1402290")
    finally:
        server.shutdown()


def test_html_instead_of_pdf_is_retried_then_returned_as_is():
    from vpetl.vlpar import mirror

    faults = mirror.Faults({"html": 0.3}, seed=3)
    server, base = mirror.start(faults=faults)
    try:
        client = Client(Settings(api_base=base, rate=100, retries=6, backoff=0.01))
        for _ in range(5):  # a transient HTML page is retried until the PDF comes
            assert client.get("https://docs.vlaamsparlement.be/files/pfile?id=1402290", expect_document=True).is_pdf
        assert faults.injected.get("html", 0) >= 1
        page = client.get("http://www.vlaamsparlement.be/link?id=9701", expect_document=True)
        assert not page.is_pdf and page.content_type.startswith("text/html")  # a real HTML page stays one
    finally:
        server.shutdown()


def test_conditional_request_gets_304_without_body(client):
    first = client.get("https://docs.vlaamsparlement.be/files/pfile?id=1402290")
    again = client.get("https://docs.vlaamsparlement.be/files/pfile?id=1402290", etag=first.headers["etag"])
    assert again.not_modified and again.body is None and again.size == 0


def test_discovery_splits_a_query_the_service_caps(monkeypatch):
    from vpetl.vlpar import mirror

    server, base = mirror.start(max_hits=5)  # as the real service caps at 10,000
    try:
        client = Client(Settings(api_base=base, rate=100))
        pages = []
        hits = list(api.search(client, api.Query(session_year="2019-2020"), on_response=pages.append, max_hits=5))
        assert len({h.id for h in hits if not h.other_kind()}) == 15 and len(pages) > 3
        assert all(b"count" in p.body for p in pages)  # raw responses handed over for keeping
    finally:
        server.shutdown()


def test_date_range_and_words(client):
    from datetime import date

    march = list(api.search(client, api.Query(since=date(2020, 3, 1), until=date(2020, 3, 31))))
    assert {h.metatags["nummer"] for h in march} == {"301", "325", "340", "356", "371", "395", "404"}
    words = list(api.search(client, api.Query(session_year="2019-2020", term="fietspaden")))
    assert {h.metatags["nummer"] for h in words if not h.other_kind()} == {"312"}


def test_a_url_without_a_path_is_named_as_the_site_root(mirror_base):
    client = Client(Settings(api_base=mirror_base))
    assert client.canonical(mirror_base) == "https://www.vlaamsparlement.be/"
    assert client.canonical(f"{mirror_base}?x=1") == "https://www.vlaamsparlement.be/?x=1"


def test_allow_host_adds_to_the_parliaments_hosts(mirror_base):
    client = Client(Settings(api_base=mirror_base, allowed_hosts=("data.example.org",)))
    assert {"data.example.org", "docs.vlaamsparlement.be", "www.vlaamsparlement.be"} <= client.allowed


@pytest.mark.parametrize("body", [
    b'{"id": "abc"}', b'{"titel": "no id"}', b'{"id": 1000000000000000000000000000000}',
    b'{"a": ' * 200_000 + b"1" + b"}" * 200_000, b'{"id": 5, "titel": "\xff\xfe"}',
    b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><schv><id>&b;</id></schv>',
    b"<html><body>Onderhoud</body></html>",
], ids=["id-text", "no-id", "id-overflow", "deep-json", "non-utf8",
        "xml-entities", "html"])
def test_a_record_that_cannot_be_read_is_a_record_error(body):
    with pytest.raises(api.RecordError, match="unreadable record"):
        api.parse_record(body)


def test_odd_but_readable_fields_keep_the_record():
    """A number that is not a plain number, steps or files of the wrong shape: the record loads,
    what cannot be read is None or left out, and the raw record keeps it all."""
    r = api.parse_record(b'{"id": 5, "vraagnummer": "312bis", "procedureverloop": ["gesteld", {"status": "x"}],'
                         b' "bestand-ordered": [5, {"URL": null}, {"URL": "http://www.vlaamsparlement.be/link?id=1"}]}')
    assert (r.id, r.number, r.status, r.files) == (5, None, "x", ["http://www.vlaamsparlement.be/link?id=1"])
    assert r.raw["vraagnummer"] == "312bis"


def _search_page(count: int, ids: range) -> tuple[int, dict, bytes]:
    hits = [{"id": f"http://be.vlp.feed/{i}/pfls/1", "metatags": {"metatag": [
        {"name": "opendata", "value": f"https://ws.vlpar.be/e/opendata/schv/{i}"}]}} for i in ids]
    return 200, {"Content-Type": "application/json"}, json.dumps({"count": str(count), "result": hits}).encode()


@pytest.mark.parametrize("page", [
    b"<html><body>Onderhoud</body></html>", b'{"count": "many", "result": []}', b'{"count": 5, "result": {"a": 1}}',
    b'{"count": 5, "result": [{"metatags": "a string"}]}', b'{"count": 5, "result": ["a"]}',
    b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
], ids=["html", "count-text", "result-object", "metatags-string", "hit-string", "deep-json"])
def test_a_search_page_that_cannot_be_read_is_a_search_error(scripted, page):
    handler, base = scripted
    handler.script += [(200, {"Content-Type": "application/json"}, page)]
    with pytest.raises(api.SearchError, match="unreadable search page"):
        list(api.search(Client(Settings(api_base=base, rate=0)), api.Query(session_year="2019-2020")))


def test_search_paging_is_bounded_by_the_first_count(scripted):
    """A service that always says there is more (no lastindex, a full page every time) is read
    for the pages its first count calls for, and no more."""
    handler, base = scripted
    handler.script += [_search_page(250, range(p * 100, p * 100 + 100)) for p in range(50)]
    hits = list(api.search(Client(Settings(api_base=base, rate=0)), "x"))
    assert len(hits) == 300 and len(handler.seen) == 3


def test_splitting_a_query_whose_halves_do_not_shrink_ends(scripted):
    """A `count` that is always 20,000: the two halves of the dates count as many as the whole, so
    splitting would go down to single days (thousands of requests); it stops at the first split."""
    handler, base = scripted
    handler.script += [_search_page(20_000, range(1))] * 200_000
    client = Client(Settings(api_base=base, rate=0))
    query = api.Query(since=date(2020, 1, 1), until=date(2020, 1, 8))
    with pytest.raises(api.InconsistentSearch, match="20000 and 20000: the counts do not shrink"):
        list(api.search(client, query))
    assert len(handler.seen) == 3  # the whole and its two halves


def test_splitting_goes_on_where_all_hits_are_in_one_half(scripted):
    """Halves that hold the whole between them are split on, even when one half holds it all."""
    handler, base = scripted
    handler.script += [_search_page(20_000, range(1)), _search_page(0, range(0)), _search_page(20_000, range(1)),
                       _search_page(0, range(0)), _search_page(5, range(2, 7))]
    hits = list(api.search(Client(Settings(api_base=base, rate=0)),
                           api.Query(since=date(2020, 1, 1), until=date(2020, 1, 8))))
    assert len(hits) == 5 and len(handler.seen) == 5
