"""A polite, careful HTTP client for the parliament's services.

Rate limited per host, retried with backoff (honouring Retry-After), redirects followed by
hand so that every hop is checked against the allowed hosts, bodies streamed with a size
limit and checked against Content-Length. With an API base (a mirror), every parliament
host is served from that base at the same path."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

PARLIAMENT_HOSTS = frozenset({"ws.vlpar.be", "www.vlaamsparlement.be", "vlaamsparlement.be",
                              "docs.vlaamsparlement.be"})
DEFAULT_API_BASE = "https://ws.vlpar.be"
USER_AGENT = "vpetl/0.1 (+https://github.com/vpetl/vpetl; open-data ETL of written questions)"
# Which parliament host serves a path: how a mirror's URL is named in provenance.
CANONICAL_HOSTS = (("/link", "http://www.vlaamsparlement.be"), ("/files/", "https://docs.vlaamsparlement.be"),
                   ("/pfile", "https://docs.vlaamsparlement.be"), ("/e/", "https://ws.vlpar.be"),
                   ("/api/", "https://ws.vlpar.be"), ("/", "https://www.vlaamsparlement.be"))
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0


class FetchError(Exception):
    """A URL that could not be fetched; `retryable` says whether a later run may succeed."""

    def __init__(self, url: str, reason: str, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status, self.retryable = url, reason, status, retryable


@dataclass
class Response:
    source_url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    attempts: int
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


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


class Client:
    def __init__(self, api_base: str | None = None, allowed_hosts: set[str] | None = None, rate: float = 1.0,
                 timeout: float = 30.0, retries: int = 4, max_redirects: int = 5,
                 max_bytes: int = 100 * 1024 * 1024, backoff: float = 1.0) -> None:
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        base = urlsplit(self.api_base)
        self.mirrored = base.netloc not in PARLIAMENT_HOSTS
        self.allowed = set(allowed_hosts or PARLIAMENT_HOSTS) | {base.netloc}
        self.limiter = RateLimiter(rate)
        self.timeout, self.retries, self.max_redirects = timeout, retries, max_redirects
        self.max_bytes, self.backoff = max_bytes, backoff
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def map_url(self, url: str) -> str:
        """The URL to request: a parliament URL is served by the mirror when there is one."""
        parts = urlsplit(url)
        if self.mirrored and parts.netloc in PARLIAMENT_HOSTS:
            base = urlsplit(self.api_base)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    def canonical(self, url: str) -> str:
        """The parliament URL a mirror's URL stands for (other URLs are returned as they are).

        Facts are recorded with canonical URLs, so a run against a mirror on another port, or
        against the live site, names the same documents."""
        parts = urlsplit(url)
        if not self.mirrored or parts.netloc != urlsplit(self.api_base).netloc:
            return url
        origin = next(host for prefix, host in CANONICAL_HOSTS if parts.path.startswith(prefix))
        return urlunsplit((*urlsplit(origin)[:2], parts.path, parts.query, ""))

    def get(self, url: str, accept: str | None = None) -> Response:
        """GET with retries; raises FetchError with the reason when it cannot succeed."""
        headers = {"Accept": accept} if accept else {}
        last: FetchError | None = None
        for attempt in range(1, self.retries + 1):
            try:
                return self._once(url, headers, attempt)
            except FetchError as exc:
                last = exc
                if not exc.retryable or attempt == self.retries:
                    raise
                delay = getattr(exc, "retry_after", None)
                time.sleep(delay if delay is not None else self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
        raise last or FetchError(url, "no attempt made")

    def _once(self, url: str, headers: dict[str, str], attempt: int) -> Response:
        current = self.map_url(url)
        for _hop in range(self.max_redirects + 1):
            host = urlsplit(current).netloc
            if host not in self.allowed:
                raise FetchError(url, f"host {host!r} is not allowed (at {current})")
            self.limiter.wait(host)
            try:
                resp = self.session.get(current, headers=headers, timeout=self.timeout, allow_redirects=False,
                                        stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise FetchError(url, f"{type(exc).__name__}: {exc}", retryable=True) from exc
            with resp:
                if resp.is_redirect or resp.status_code in (301, 302, 303, 307, 308):
                    location = resp.headers.get("location")
                    if not location:
                        raise FetchError(url, f"redirect {resp.status_code} without Location")
                    current = self.map_url(urljoin(current, location))
                    continue
                if resp.status_code in RETRY_STATUSES:
                    err = FetchError(url, f"HTTP {resp.status_code}", resp.status_code, retryable=True)
                    err.retry_after = _retry_after(resp.headers.get("retry-after"))
                    raise err
                if resp.status_code >= 400:
                    raise FetchError(url, f"HTTP {resp.status_code}", resp.status_code)
                body = self._read(url, resp)
                got = {k.lower(): v for k, v in resp.headers.items()}
                return Response(self.canonical(url), self.canonical(current), resp.status_code, got,
                                body, datetime.now(UTC), attempt)
        raise FetchError(url, f"more than {self.max_redirects} redirects")

    def _read(self, url: str, resp: requests.Response) -> bytes:
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, f"body larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise FetchError(url, f"connection broken mid-body: {exc}", retryable=True) from exc
        body = b"".join(chunks)
        expected = resp.headers.get("content-length")
        if expected and expected.isdigit() and int(expected) != len(body) and not resp.headers.get("content-encoding"):
            raise FetchError(url, f"body has {len(body)} bytes, Content-Length said {expected}", retryable=True)
        return body


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    return None
