"""Live mode: the one HTTP session factory and the fetcher that talks to the real upstreams (or the
local emulator standing in for them).

Retries are tenacity's: 429, 5xx, timeouts, dropped connections, truncated bodies and broken gzip
streams are retried with capped exponential backoff or the upstream's `Retry-After`; every
attempt passes the per-upstream rate limiter and each retry is logged with its reason and wait.
What is ours is deciding what a failed attempt was (`_attempt`, `_receive_body`).
"""

from __future__ import annotations

import email.utils
import importlib.metadata
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

import requests
import tenacity
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from kg_pipeline.http.quota import BudgetSpent, DailyDownloadBudget
from kg_pipeline.http.ratelimit import limiter_for
from kg_pipeline.http.transport import (
    ADVICE_RETRY_LATER,
    CHUNK_SIZE,
    BodySink,
    Fetcher,
    FetchMode,
    FileRequest,
    NotModified,
    UpstreamError,
    is_gzip_name,
)

logger = logging.getLogger("kg_pipeline.http")


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("kg-pipeline")
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    return f"kg-pipeline/{version} (kidney-genetics gene database loader)"


USER_AGENT = _user_agent()

MAX_RETRY_AFTER_S = 600.0
"""A Retry-After longer than this fails the fetch instead of parking a run for that long."""

_ADVICE_SLOW = (
    "the upstream is slow or unreachable; retry later, raise KG_HTTP_READ_TIMEOUT_S, "
    "or use KG_SOURCE_MODE=mirror"
)
_ADVICE_TRUNCATED = (
    "the body arrived incomplete (connection dropped or file cut short); retry later "
    "or use KG_SOURCE_MODE=mirror"
)


def make_session(pool_size: int = 16) -> requests.Session:
    """The HTTP session every upstream uses: a User-Agent naming kg-pipeline, pooled connections,
    and no hidden transport retries (the fetcher's retry loop is the only one)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), or None when
    absent or unreadable. Dates in the past mean "now" (0)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class Endpoint:
    """Where one upstream is reached and how politely."""

    base_url: str
    requests_per_second: float
    api_key: str | None = None
    """Sent as the `api_key` parameter (NCBI's key raises PubTator's rate limit); redacted
    wherever the URL is shown."""
    api_key_setting: str | None = None
    """The setting a refused request should point the user to, e.g. `KG_NCBI_API_KEY`."""
    forbidden_advice: str | None = None
    """What to do when the upstream answers 401/403, where that is not a wrong URL or key
    (an upstream that refuses scripts)."""
    daily_downloads: int | None = None
    """At most this many downloads a UTC day (`KG_DAILY_DOWNLOADS__<UPSTREAM>`), for an
    upstream with a per-IP quota; None: no budget."""


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retries of every live request."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    max_retries: int = 5
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0


class _Retryable(Exception):
    """One attempt failed in a way a later attempt may not."""

    def __init__(
        self,
        reason: str,
        *,
        advice: str = ADVICE_RETRY_LATER,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.advice = advice
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class _Request:
    upstream: str
    url: str
    """Without `query`."""
    query: str
    """The request's parameters, urlencoded, API key included; may be empty."""
    shown_url: str
    """The URL as logs and errors show it: query included, API key left out."""
    secret: str | None
    validators: dict[str, str]
    """`If-None-Match` / `If-Modified-Since` of the stored file, sent with every attempt."""

    def redact(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text


class LiveFetcher(Fetcher):
    """Fetches from each upstream's endpoint with timeouts, retries and the rate limit."""

    mode: FetchMode = "live"

    def __init__(
        self,
        endpoints: Mapping[str, Endpoint],
        policy: HttpPolicy,
        *,
        ledger_dir: Path | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """`ledger_dir` keeps the daily download budgets of endpoints that have one; it is
        required when any has."""
        self._endpoints = dict(endpoints)
        self._policy = policy
        self._session = session or make_session()
        # What `Session.get` would read from the environment (proxies, CA bundle) on every
        # request, read once per upstream: it depends only on the host, and redoing it was a
        # tenth of the CPU of a search page. Redirects still resolve their own.
        self._send_settings = {
            key: self._session.merge_environment_settings(endpoint.base_url, {}, True, None, None)
            for key, endpoint in self._endpoints.items()
        }
        self._templates: dict[str, requests.PreparedRequest] = {}
        # One for every request: tenacity keeps each thread's attempt state apart.
        self._retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.max_retries + 1),
            # A Retry-After beyond what a run should wait for fails at once, with its own advice.
            retry=tenacity.retry_if_exception(
                lambda e: (
                    isinstance(e, _Retryable)
                    and (e.retry_after is None or e.retry_after <= MAX_RETRY_AFTER_S)
                )
            ),
            wait=self._wait,
            before_sleep=self._log_retry,
            reraise=True,
        )
        self._budgets = {
            key: DailyDownloadBudget(_required(ledger_dir), key, endpoint.daily_downloads)
            for key, endpoint in self._endpoints.items()
            if endpoint.daily_downloads is not None
        }

    def close(self) -> None:
        self._session.close()

    def url(self, upstream: str, path: str) -> str:
        """The URL of `path` on `upstream`: with the query `path` carries, without `params`."""
        if upstream not in self._endpoints:
            known = ", ".join(self._endpoints)
            raise ValueError(f"unknown upstream {upstream!r}; known: {known}")
        return f"{self._endpoints[upstream].base_url}/{path.lstrip('/')}"

    def _stream(self, file: FileRequest, sink: BodySink) -> tuple[str, dict[str, str]]:
        request = self._request(file)
        # A `.gz` file is kept exactly as stored; any other body is decoded from its transfer
        # compression.
        headers = self._fetch(request, sink, raw_gzip=is_gzip_name(file.path.rstrip("/")))
        return request.shown_url, headers

    # -- internals -------------------------------------------------------------------------

    def _request(self, file: FileRequest) -> _Request:
        upstream = file.upstream
        url = self.url(upstream, file.path)
        query = dict(file.params)
        if file.page is not None:
            query["page"] = str(file.page)
        shown = urlencode(query)
        secret = self._endpoints[upstream].api_key or None
        sent = urlencode({**query, "api_key": secret}) if secret else shown
        return _Request(upstream, url, sent, _with_query(url, shown), secret, file.validators)

    def _fetch(self, request: _Request, sink: BodySink, *, raw_gzip: bool) -> dict[str, str]:
        """Run the attempts; returns the provenance headers of the successful response."""
        retrying = self._retrying
        try:
            return retrying(self._attempt_paced, request, sink, raw_gzip)
        except _Retryable as last:
            # The statistics are the calling thread's own.
            tried = retrying.statistics.get("attempt_number", self._policy.max_retries + 1)
            if last.retry_after is not None and last.retry_after > MAX_RETRY_AFTER_S:
                raise UpstreamError(
                    request.upstream,
                    request.shown_url,
                    f"{last.reason} with Retry-After {last.retry_after:.0f} s, longer than the "
                    f"{MAX_RETRY_AFTER_S:.0f} s a fetch waits",
                    advice="the upstream asks us to come back much later; retry then "
                    "or use KG_SOURCE_MODE=mirror",
                    attempts=tried,
                    status=last.status,
                ) from None
            raise UpstreamError(
                request.upstream,
                request.shown_url,
                last.reason,
                advice=last.advice,
                attempts=tried,
                status=last.status,
            ) from None

    def _attempt_paced(self, request: _Request, sink: BodySink, raw_gzip: bool) -> dict[str, str]:
        """One attempt, after the rate limiter and the download budget allow it."""
        upstream = request.upstream
        limiter_for(upstream, self._endpoints[upstream].requests_per_second).acquire()
        budget = self._budgets.get(upstream)
        if budget is not None:
            self._spend(budget, request)
        sink.reset()
        try:
            return self._attempt(request, sink, raw_gzip=raw_gzip)
        except NotModified:
            if budget is not None:
                budget.give_back()
            raise

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """Seconds before the next attempt: the upstream's Retry-After, else the backoff."""
        policy = self._policy
        failure = state.outcome.exception() if state.outcome else None
        asked = failure.retry_after if isinstance(failure, _Retryable) else None
        if asked is not None:
            return asked
        return min(policy.backoff_cap_s, policy.backoff_base_s * 2 ** (state.attempt_number - 1))

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        request: _Request = state.args[0]
        failure = state.outcome.exception() if state.outcome else None
        logger.warning(
            "%s: GET %s attempt %d/%d failed: %s; retrying in %.2f s",
            request.upstream,
            request.shown_url,
            state.attempt_number,
            self._policy.max_retries + 1,
            getattr(failure, "reason", failure),
            state.upcoming_sleep,
        )

    def _attempt(self, request: _Request, sink: BodySink, *, raw_gzip: bool) -> dict[str, str]:
        policy = self._policy
        try:
            response = self._send(request, "GET")
        except requests.exceptions.ConnectTimeout:
            raise _Retryable(
                f"no connection within the {policy.connect_timeout_s:g} s connect timeout",
                advice=_ADVICE_SLOW,
            ) from None
        except requests.exceptions.ReadTimeout:
            raise _Retryable(
                f"no response within the {policy.read_timeout_s:g} s read timeout",
                advice=_ADVICE_SLOW,
            ) from None
        except requests.exceptions.SSLError as exc:
            raise UpstreamError(
                request.upstream,
                request.shown_url,
                f"TLS failure ({request.redact(_describe(exc))})",
                advice="check the system CA certificates, proxy settings and the base URL",
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retryable(f"connection failed ({request.redact(_describe(exc))})") from None
        except requests.exceptions.RequestException as exc:
            # Bad URL, too many redirects and the like: retrying cannot help.
            raise UpstreamError(
                request.upstream,
                request.shown_url,
                request.redact(_describe(exc)),
                advice="check the upstream's base URL "
                "(KG_UPSTREAM_URL or KG_BASE_URLS__<UPSTREAM>)",
            ) from None

        with response:
            status = response.status_code
            if status == HTTPStatus.NOT_MODIFIED and request.validators:
                raise NotModified(request.shown_url)
            if status == 429 or status >= 500:
                raise _Retryable(
                    _status_text(response),
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    status=status,
                )
            if status >= 300:
                raise UpstreamError(
                    request.upstream,
                    request.shown_url,
                    _status_text(response),
                    advice=_advice_for_status(
                        status, request.upstream, self._endpoints[request.upstream]
                    ),
                    status=status,
                )
            self._receive_body(request, response, sink, raw_gzip=raw_gzip)
            return {
                name: response.headers[name]
                for name in ("Last-Modified", "ETag")
                if name in response.headers
            }

    def _spend(self, budget: DailyDownloadBudget, request: _Request) -> None:
        """Take one download from the budget. With none left, a conditional request still
        learns, by a HEAD that costs nothing, whether its file is unchanged (`NotModified`)."""
        try:
            budget.spend()
        except BudgetSpent as exc:
            if request.validators and self._head_status(request) == HTTPStatus.NOT_MODIFIED:
                raise NotModified(request.shown_url) from None
            raise UpstreamError(
                request.upstream,
                request.shown_url,
                str(exc),
                advice="nothing was downloaded and the previous data stays; retry after "
                f"00:00 UTC or raise KG_DAILY_DOWNLOADS__{request.upstream.upper()} (within "
                "the upstream's own per-IP quota)",
            ) from None

    def _head_status(self, request: _Request) -> int | None:
        try:
            with self._send(request, "HEAD") as response:
                return response.status_code
        except requests.exceptions.RequestException:
            return None

    def _send(self, request: _Request, method: str) -> requests.Response:
        """Send one request through the session, following redirects; the body is left to
        stream."""
        policy = self._policy
        return self._session.send(
            self._prepare(request, method),
            timeout=(policy.connect_timeout_s, policy.read_timeout_s),
            allow_redirects=True,
            **self._send_settings[request.upstream],
        )

    def _prepare(self, request: _Request, method: str) -> requests.PreparedRequest:
        """`request` as `Session.prepare_request` prepares it, from a template the session
        prepared once for its URL: the session's headers and the netrc credentials for the
        host do not change between requests, and merging them anew (and parsing the URL) was a
        third of the CPU of a search page. The session's cookies are added per request."""
        template = self._templates.get(request.url)
        if template is None:
            template = self._session.prepare_request(requests.Request("GET", request.url))
            template.headers.pop("Cookie", None)
            self._templates[request.url] = template
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = _with_query(template.url or "", request.query)
        prepared.headers = template.headers.copy()
        for header in request.validators.items():
            requests.utils.check_header_validity(header)
            prepared.headers[header[0]] = header[1]
        prepared.body = None
        prepared.hooks = template.hooks
        prepared.prepare_cookies(self._session.cookies)
        return prepared

    def _receive_body(
        self, request: _Request, response: requests.Response, sink: BodySink, *, raw_gzip: bool
    ) -> None:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        # A `.gz` file is kept exactly as stored even if a server also labels it with a gzip
        # Content-Encoding; any other body is decoded from its transfer compression.
        decode = not raw_gzip
        for chunk in _body_chunks(response.raw, decode=decode):
            sink.write(chunk)

        # Content-Length counts wire bytes, which equal the file's bytes unless we decoded a
        # transfer encoding. urllib3 enforces it too; this backstop keeps the rule explicit.
        declared = response.headers.get("Content-Length", "")
        comparable = encoding == "identity" or not decode
        if comparable and declared.isdigit() and int(declared) != sink.size:
            raise _Retryable(
                f"truncated body: received {sink.size} of {declared} bytes",
                advice=_ADVICE_TRUNCATED,
                status=response.status_code,
            )
        if sink.size == 0:
            raise UpstreamError(
                request.upstream,
                request.shown_url,
                f"empty response (HTTP {response.status_code} with no body)",
                advice="the upstream returned nothing; retry later or use KG_SOURCE_MODE=mirror",
                status=response.status_code,
            )
        problem = sink.gzip_problem()
        if problem:
            raise _Retryable(
                f"truncated or corrupt gzip body: {problem}",
                advice=_ADVICE_TRUNCATED,
                status=response.status_code,
            )


def _body_chunks(raw: urllib3.BaseHTTPResponse, *, decode: bool) -> Iterator[bytes]:
    """The body in chunks; a connection that breaks mid-body becomes a retryable truncation.
    Only the reads are guarded, so a local disk error is never mistaken for a network one."""
    stream = raw.stream(CHUNK_SIZE, decode_content=decode)
    while True:
        try:
            chunk = next(stream)
        except StopIteration:
            return
        except urllib3.exceptions.ReadTimeoutError:
            raise _Retryable(
                "truncated body: the upstream stopped sending mid-body (read timeout)",
                advice=_ADVICE_SLOW,
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Retryable(
                f"truncated body: the connection broke mid-body ({_describe(exc)})",
                advice=_ADVICE_TRUNCATED,
            ) from None
        yield chunk


def _with_query(url: str, query: str) -> str:
    """`url` with the urlencoded `query` appended, as requests appends `params`: after the
    query the URL already has."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _required(ledger_dir: Path | None) -> Path:
    if ledger_dir is None:
        raise ValueError("an endpoint with a daily download budget needs a ledger_dir")
    return ledger_dir


def _status_text(response: requests.Response) -> str:
    phrase = response.reason
    if not phrase:
        try:
            phrase = HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = ""
    return f"HTTP {response.status_code} {phrase}".strip()


def _advice_for_status(status: int, upstream: str, endpoint: Endpoint) -> str:
    if status in (404, 410):
        return (
            "the upstream has no such file or endpoint; check the base URL "
            f"(KG_UPSTREAM_URL or KG_BASE_URLS__{upstream.upper()}) and whether the upstream "
            "moved it"
        )
    if status in (401, 403) and endpoint.forbidden_advice:
        return endpoint.forbidden_advice
    if status in (401, 403):
        hint = f" and {endpoint.api_key_setting}" if endpoint.api_key_setting else ""
        return f"the upstream refused access; check the URL{hint}"
    return "the upstream rejected the request; check the URL and parameters"


def _describe(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, as one short line (their own messages
    nest three wrappers deep)."""
    cause: BaseException = exc
    for _ in range(6):
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in cause.args if isinstance(a, BaseException)), None)
        if inner is None:
            inner = cause.__cause__
        if inner is None or inner is cause:
            break
        cause = inner
    name = type(cause).__name__
    text = " ".join(str(cause).split())
    if not text or text.startswith(name):
        return text or name
    return f"{name}: {text}"
