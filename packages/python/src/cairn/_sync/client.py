# Generated from src/cairn/_async/client.py by scripts/unasync.py: do not edit.
"""`Cairn`: the async client, a context manager over one httpx.Client."""

from __future__ import annotations

from types import TracebackType
from typing import Mapping, Optional

import httpx
from pydantic import ValidationError

from .._base_client import ApiRequest, ClientConfig, RequestOptions
from .._exceptions import error_from_response, parse_body
from ..types import Health, Limits, Readiness
from .admin import Keys, Tenants
from .sandboxes import Sandboxes
from .transport import Transport


class Cairn:
    """The Cairn API. `base_url` defaults to `$CAIRN_BASE_URL` or http://127.0.0.1:7878,
    `api_key` to `$CAIRN_API_KEY`; `timeout` (seconds, default 60) and `max_retries` (default 2)
    apply to every call unless the call gives its own."""

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        config = ClientConfig(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        self._transport = Transport(config, http_client)
        self.sandboxes = Sandboxes(self._transport)
        self.tenants = Tenants(self._transport)
        self.keys = Keys(self._transport)

    @property
    def base_url(self) -> str:
        return self._transport.config.base_url

    def close(self) -> None:
        """Closes the connections (unless you passed your own `http_client`)."""
        self._transport.close()

    def __enter__(self) -> Cairn:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def health(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Health:
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(Health, ApiRequest("GET", "/v1/health"), options)

    def ready(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Readiness:
        """Whether the server can take traffic: storage reachable, migrations current, not
        draining. Not being ready is an answer (`status == "not_ready"`, from a 503, the reasons
        in `storage.problems`), not an error, and it is asked once: no retries unless
        `max_retries` says so (for failures to answer at all)."""
        request = ApiRequest("GET", "/v1/ready", answer_statuses=frozenset({503}))
        retries = 0 if max_retries is None else max_retries
        options = RequestOptions(timeout, retries, None, extra_headers)
        response = self._transport.request(request, options)
        try:
            return Readiness.model_validate_json(response.content)
        except ValidationError:
            if response.status_code != 503:
                raise
            # Not Cairn's answer (a proxy's 503 page): the error any other call would raise.
            kind = response.headers.get("content-type", "")
            raise error_from_response(response, parse_body(response.content, kind)) from None

    def limits(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Limits:
        """The server's limits: request sizes, quotas, exec bounds."""
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(Limits, ApiRequest("GET", "/v1/limits"), options)
