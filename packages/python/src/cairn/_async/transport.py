"""The HTTP loop: sends a call until the retry policy says stop, mapping failures to errors."""

from __future__ import annotations

from typing import Optional, TypeVar

import anyio
import httpx
from pydantic import BaseModel

from .._base_client import ApiRequest, ClientConfig, PreparedCall, RequestOptions
from .._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CairnError,
    as_problem,
    error_from_response,
    parse_body,
)
from .._retry import retry_delay

M = TypeVar("M", bound=BaseModel)


async def _sleep(seconds: float) -> None:
    """Waits between attempts (tests replace it to record the delays)."""
    await anyio.sleep(seconds)


class AsyncTransport:
    """Owns the httpx client (unless the caller gave one) and sends every API call."""

    def __init__(self, config: ClientConfig, http_client: Optional[httpx.AsyncClient]) -> None:
        self.config = config
        self._owns_client = http_client is None
        self.http = http_client or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )

    async def close(self) -> None:
        if self._owns_client:
            await self.http.aclose()

    async def request(self, request: ApiRequest, options: RequestOptions) -> httpx.Response:
        """Sends the call and reads the whole success body; raises a `CairnError` on failure."""
        response = await self.stream(request, options)
        try:
            await response.aread()
        except httpx.TimeoutException as error:
            raise APITimeoutError(f"The response did not arrive in time: {error}") from error
        except httpx.HTTPError as error:
            raise APIConnectionError(f"Connection failed while reading: {error}") from error
        finally:
            await response.aclose()
        return response

    async def call(self, model: type[M], request: ApiRequest, options: RequestOptions) -> M:
        """Sends the call and parses its JSON success body as `model`."""
        response = await self.request(request, options)
        return model.model_validate_json(response.content)

    async def stream(self, request: ApiRequest, options: RequestOptions) -> httpx.Response:
        """Sends the call and returns the success response unread; the caller must close it."""
        call = self.config.prepare(request, options)
        attempt = 0
        while True:
            error, response, retryable = await self._attempt(call)
            if response is not None:
                return response
            assert error is not None
            delay = retry_delay(
                method=call.method,
                has_idempotency_key=call.has_idempotency_key,
                attempt=attempt,
                max_retries=call.max_retries,
                status=error.status if isinstance(error, APIError) else None,
                retryable=retryable,
                retry_after=error.headers.get("retry-after")
                if isinstance(error, APIError)
                else None,
            )
            if delay is None:
                raise error
            await _sleep(delay)
            attempt += 1

    async def _attempt(
        self, call: PreparedCall
    ) -> tuple[Optional[CairnError], Optional[httpx.Response], Optional[bool]]:
        """One try: a success response, or the error it ended with (never raised here) and, when
        the body was a problem, its `retryable`."""
        try:
            request = self.http.build_request(
                call.method,
                call.url,
                params=call.params,
                headers=call.headers,
                json=call.json,
                content=call.content,
                timeout=httpx.Timeout(call.timeout),
            )
            response = await self.http.send(request, stream=True)
        except httpx.TimeoutException as error:
            return APITimeoutError(f"No response within {call.timeout} s: {error}"), None, None
        except httpx.TransportError as error:
            return APIConnectionError(f"Could not reach {call.url}: {error!r}"), None, None
        if response.is_success or response.status_code in call.answer_statuses:
            return None, response, None
        try:
            await response.aread()
            body = parse_body(response.content, response.headers.get("content-type", ""))
        except httpx.HTTPError:
            body = None
        finally:
            await response.aclose()
        problem = as_problem(body)
        retryable = None if problem is None else problem.get("retryable") is True
        return error_from_response(response, body), None, retryable
