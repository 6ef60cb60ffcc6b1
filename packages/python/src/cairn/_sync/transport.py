# Generated from src/cairn/_async/transport.py by scripts/unasync.py: do not edit.
"""The HTTP loop: sends a call until the retry policy says stop, mapping failures to errors."""

from __future__ import annotations

import time
from typing import Optional, TypeVar

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


def _sleep(seconds: float) -> None:
    """Waits between attempts (tests replace it to record the delays)."""
    time.sleep(seconds)


class Transport:
    """Owns the httpx client (unless the caller gave one) and sends every API call."""

    def __init__(self, config: ClientConfig, http_client: Optional[httpx.Client]) -> None:
        self.config = config
        self._owns_client = http_client is None
        self.http = http_client or httpx.Client(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )

    def close(self) -> None:
        if self._owns_client:
            self.http.close()

    def request(self, request: ApiRequest, options: RequestOptions) -> httpx.Response:
        """Sends the call and reads the whole success body; raises a `CairnError` on failure."""
        response = self.stream(request, options)
        try:
            response.read()
        except httpx.TimeoutException as error:
            raise APITimeoutError(f"The response did not arrive in time: {error}") from error
        except httpx.HTTPError as error:
            raise APIConnectionError(f"Connection failed while reading: {error}") from error
        finally:
            response.close()
        return response

    def call(self, model: type[M], request: ApiRequest, options: RequestOptions) -> M:
        """Sends the call and parses its JSON success body as `model`."""
        response = self.request(request, options)
        return model.model_validate_json(response.content)

    def stream(self, request: ApiRequest, options: RequestOptions) -> httpx.Response:
        """Sends the call and returns the success response unread; the caller must close it."""
        call = self.config.prepare(request, options)
        attempt = 0
        while True:
            error, response, retryable = self._attempt(call)
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
            _sleep(delay)
            attempt += 1

    def _attempt(
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
            response = self.http.send(request, stream=True)
        except httpx.TimeoutException as error:
            return APITimeoutError(f"No response within {call.timeout} s: {error}"), None, None
        except httpx.TransportError as error:
            return APIConnectionError(f"Could not reach {call.url}: {error!r}"), None, None
        if response.is_success or response.status_code in call.answer_statuses:
            return None, response, None
        try:
            response.read()
            body = parse_body(response.content, response.headers.get("content-type", ""))
        except httpx.HTTPError:
            body = None
        finally:
            response.close()
        problem = as_problem(body)
        retryable = None if problem is None else problem.get("retryable") is True
        return error_from_response(response, body), None, retryable
