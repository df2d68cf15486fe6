"""A polite, careful HTTP client for the parliament's services.

Rate limited per host and bounded in concurrency; retried with exponential backoff and
jitter (honouring Retry-After) within a retry budget per run; redirects followed by hand so
that every hop is checked against the allowed hosts; bodies streamed (to a sink, hashed on
the fly) with a size limit and checked against Content-Length; conditional requests with
ETag and Last-Modified; every exchange reported to a log callback. With an API base (a
mirror), every parliament host is served from that base at the same path."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3

from vpetl import __version__
from vpetl.errors import SourceError
from vpetl.settings import Settings, redact

PARLIAMENT_HOSTS = frozenset({"ws.vlpar.be", "www.vlaamsparlement.be", "vlaamsparlement.be",
                              "docs.vlaamsparlement.be"})
USER_AGENT = f"vpetl/{__version__} (+https://github.com/vpetl/vpetl; open-data ETL of written questions)"
# Which parliament host serves a path: how a mirror's URL is named in provenance.
CANONICAL_HOSTS = (("/link", "http://www.vlaamsparlement.be"), ("/files/", "https://docs.vlaamsparlement.be"),
                   ("/pfile", "https://docs.vlaamsparlement.be"), ("/e/", "https://ws.vlpar.be"),
                   ("/api/", "https://ws.vlpar.be"), ("/", "https://www.vlaamsparlement.be"))
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0
CHUNK = 64 * 1024
NOT_PDF_CONFIRMATIONS = 3  # the same non-PDF body this many times in a row is not a passing error page
# The sitemaps protocol's limit, which servers and browsers keep to; a longer URL (in a record, a
# PDF or a redirect) is refused with that reason. Indexed URL columns must fit PostgreSQL's btree.
MAX_URL = 2048
SCHEMES = ("http", "https")  # never file:, ftp:, gopher: or the like, whatever a link or a redirect says


class FetchError(SourceError):
    """A URL that could not be fetched; `retryable` says whether a later try may succeed."""

    def __init__(self, url: str, reason: str, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        url = redact(url)  # what is printed, logged and stored of a URL never holds its password
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status
        self.retryable, self.retry_after = retryable, retry_after


class SinkWriter(Protocol):
    def write(self, chunk: bytes) -> None: ...
    def commit(self) -> str: ...  # returns the sha256 of what was written
    def abort(self) -> None: ...


class Sink(Protocol):
    """Where streamed bodies go (the blob store): bytes never need to fit in memory."""

    def writer(self) -> SinkWriter: ...


@dataclass
class Exchange:
    """One HTTP request and what came of it: a row of the fetch log."""

    url: str
    requested_url: str
    method: str
    status: int | None
    bytes: int
    elapsed_ms: int
    attempt: int
    error: str | None
    at: datetime
    sha256: str | None = None


@dataclass
class Response:
    source_url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes | None  # None when streamed to a sink or not modified
    fetched_at: datetime
    attempts: int
    sha256: str | None = None
    size: int = 0
    head: bytes = b""  # the first bytes, for sniffing

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def is_pdf(self) -> bool:
        return b"%PDF-" in self.head[:1024]

    @property
    def is_page(self) -> bool:
        """An HTML page (a portal's error or maintenance page), where a document was asked for."""
        head = self.head[:512].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]


class RateLimiter:
    """At most `rate` requests per second to each host, across threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at.get(host, now))
            self.next_at[host] = at + self.interval
        if at > now:
            time.sleep(at - now)


@dataclass
class RetryBudget:
    """Retries left for a whole run: a failing site is not hammered by thousands of retries."""

    left: int
    used: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            self.used += 1
            return True


class Client:
    """The parliament's services over HTTP, as politely as `settings` says."""

    def __init__(self, settings: Settings, on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.api_base = settings.api_base.rstrip("/")
        self.mirrored = host_of(self.api_base) not in PARLIAMENT_HOSTS
        self.allowed = set(PARLIAMENT_HOSTS) | set(settings.allowed_hosts) | {host_of(self.api_base)}  # added to
        self.deadline = settings.download_deadline
        self.limiter = RateLimiter(settings.rate)
        self.slots = threading.BoundedSemaphore(settings.concurrency)
        self.budget = RetryBudget(settings.retry_budget)
        self.timeout, self.retries, self.max_redirects = settings.timeout, settings.retries, settings.max_redirects
        self.max_bytes, self.backoff = settings.max_bytes, settings.backoff
        self.on_exchange = on_exchange
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def map_url(self, url: str) -> str:
        """The URL to request: a parliament URL is served by the mirror when there is one."""
        parts = urlsplit(url)
        if self.mirrored and host_of(url) in PARLIAMENT_HOSTS:
            base = urlsplit(self.api_base)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    def canonical(self, url: str) -> str:
        """The parliament URL a mirror's URL stands for (other URLs are returned as they are).

        Facts are recorded with canonical URLs, so a run against a mirror on another port, or
        against the live site, names the same documents."""
        parts = urlsplit(url)
        if not self.mirrored or host_of(url) != host_of(self.api_base):
            return redact(url)
        path = parts.path or "/"  # a URL with no path is the site's root
        origin = next(host for prefix, host in CANONICAL_HOSTS if path.startswith(prefix))
        return urlunsplit((*urlsplit(origin)[:2], path, parts.query, ""))

    def name(self, url: str) -> str:
        """The parliament URL that a URL names, however it is reached (a mirror's or the live one);
        a malformed URL names itself (fetching it fails, with that reason)."""
        try:
            return self.canonical(self.map_url(url))
        except ValueError:
            return url

    def get(self, url: str, accept: str | None = None, etag: str | None = None, last_modified: str | None = None,
            sink: Sink | None = None, expect_document: bool = False) -> Response:
        """GET with retries; raises FetchError with the reason when it cannot succeed.

        With `etag`/`last_modified` the request is conditional and may come back 304 (no body).
        With a `sink` the body is streamed into it and only its sha256 and head are kept.
        With `expect_document`, an HTML page is retried as a transient error page, until the
        same page comes NOT_PDF_CONFIRMATIONS times in a row (then it is what the URL serves)
        or the last attempt; it is then returned as it is, to be stored and reported. Any other
        body (a PDF, a Word file served as octet-stream) is the document."""
        headers = {"Accept": accept} if accept else {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt, not_pdf, seen = 0, None, 0
        while True:
            attempt += 1
            last_try = attempt >= self.retries
            try:
                try:
                    resp = self._once(url, headers, attempt, sink)
                except ValueError as exc:  # urllib.parse on a malformed URL or Location
                    raise FetchError(url[:MAX_URL], f"malformed URL: {exc}") from exc
                if expect_document and not resp.not_modified and resp.is_page and not last_try:
                    seen = seen + 1 if resp.sha256 == not_pdf else 1
                    not_pdf = resp.sha256
                    if seen < NOT_PDF_CONFIRMATIONS:
                        raise FetchError(url, f"expected a document, got an HTML page ({resp.content_type})",
                                         resp.status, retryable=True)
                return resp
            except FetchError as exc:
                if not exc.retryable or last_try or not self.budget.take():
                    raise
                delay = exc.retry_after
                if delay is None:
                    delay = self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
                time.sleep(delay)

    def _once(self, url: str, headers: dict[str, str], attempt: int, sink: Sink | None) -> Response:
        current = self.map_url(url)
        for _hop in range(self.max_redirects + 1):
            if len(current) > MAX_URL:
                raise FetchError(url[:200], f"URL of {len(current)} characters: longer than {MAX_URL}")
            scheme, host = urlsplit(current).scheme, host_of(current)
            if scheme not in SCHEMES:
                raise FetchError(url, f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}"
                                      f" ({redact(current)})")
            if host not in self.allowed:
                raise FetchError(url, f"host {host!r} is not allowed ({redact(current)}); --allow-host adds one")
            self.limiter.wait(host)
            started = time.monotonic()
            status, size, error, sha = None, 0, None, None
            try:
                with self.slots:
                    resp = self.session.get(current, headers=headers, timeout=self.timeout, allow_redirects=False,
                                            stream=True)
                    with resp:
                        status = resp.status_code
                        if resp.status_code in (301, 302, 303, 307, 308):
                            location = resp.headers.get("location")
                            if not location:
                                raise FetchError(url, f"redirect {resp.status_code} without Location")
                            current = self.map_url(urljoin(current, location))
                            continue
                        if resp.status_code in RETRY_STATUSES:
                            raise FetchError(url, f"HTTP {resp.status_code}", resp.status_code, retryable=True,
                                             retry_after=_retry_after(resp.headers.get("retry-after")))
                        if resp.status_code >= 400:
                            raise FetchError(url, f"HTTP {resp.status_code}", resp.status_code)
                        got = {k.lower(): v for k, v in resp.headers.items()}
                        out = Response(self.canonical(url), self.canonical(current), resp.status_code, got, None,
                                       datetime.now(UTC), attempt)
                        if resp.status_code != 304:
                            self._read(url, resp, out, sink)
                        size, sha = out.size, out.sha256
                        return out
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
                raise FetchError(url, error, retryable=True) from exc
            except FetchError as exc:
                error = exc.reason
                raise
            finally:
                self._log(url, current, status, size, started, attempt, error, sha)
        raise FetchError(url, f"more than {self.max_redirects} redirects", retryable=True)

    def _read(self, url: str, resp: requests.Response, out: Response, sink: Sink | None) -> None:
        """Stream the body (into the sink, or memory), hashing it; check size, length and deadline."""
        digest, chunks, size = hashlib.sha256(), list[bytes](), 0
        writer = sink.writer() if sink else None
        deadline = time.monotonic() + self.deadline
        try:
            for chunk in _chunks(resp):
                if time.monotonic() > deadline:
                    raise FetchError(url, f"download took more than {self.deadline:g} s (after {size} bytes)")
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, f"body larger than {self.max_bytes} bytes")
                if len(out.head) < 1024:
                    out.head += chunk[: 1024 - len(out.head)]
                digest.update(chunk)
                (writer.write if writer else chunks.append)(chunk)
            expected = resp.headers.get("content-length")
            if (expected and expected.isdigit() and int(expected) != size
                    and not resp.headers.get("content-encoding")):
                raise FetchError(url, f"body has {size} bytes, Content-Length said {expected}", retryable=True)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if writer:
                writer.abort()
            raise FetchError(url, f"connection broken mid-body: {type(exc).__name__}", retryable=True) from exc
        except BaseException:
            if writer:
                writer.abort()
            raise
        out.size, out.sha256 = size, digest.hexdigest()
        if writer:
            writer.commit()
        else:
            out.body = b"".join(chunks)

    def _log(self, url: str, current: str, status: int | None, size: int, started: float, attempt: int,
             error: str | None, sha: str | None) -> None:
        if self.on_exchange:
            self.on_exchange(Exchange(self.canonical(url), redact(current), "GET", status, size,
                                      int((time.monotonic() - started) * 1000), attempt, error, datetime.now(UTC),
                                      sha))


def host_of(url: str) -> str:
    """The host (and port) a URL goes to, without any user and password."""
    return urlsplit(url).netloc.rpartition("@")[2]


def _chunks(resp: requests.Response) -> Iterator[bytes]:
    """The body as it arrives, decoded: each piece is whatever one socket read gave (at most
    CHUNK bytes), so a server that trickles bytes cannot hold one call past the deadline."""
    raw = resp.raw
    while chunk := raw.read1(CHUNK, decode_content=True) if hasattr(raw, "read1") else raw.read(CHUNK):
        yield chunk


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    return None
