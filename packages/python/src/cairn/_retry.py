"""The retry policy: which failed attempts are sent again, and how long to wait first."""

from __future__ import annotations

import random as _random
import re
import time
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

DEFAULT_MAX_RETRIES = 2
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
# A longer Retry-After is not waited for: the error goes to the caller, who can decide.
MAX_RETRY_AFTER = 60.0
# Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
KEYED_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait per a `Retry-After` value (delay-seconds or HTTP-date), else None.

    >>> parse_retry_after("2")
    2.0
    """
    if value is None:
        return None
    text = value.strip()
    if _SECONDS.match(text):
        return float(text)
    # An HTTP-date names its day and month; without that it is garbage ("-1", "soon").
    if not re.search(r"[a-z]{3}", text, re.IGNORECASE):
        return None
    try:
        at = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, at - (time.time() if now is None else now))


def retry_delay(
    *,
    method: str,
    has_idempotency_key: bool,
    attempt: int,
    max_retries: int,
    status: Optional[int],
    retryable: Optional[bool],
    retry_after: Optional[str],
    random: Optional[Callable[[], float]] = None,
) -> Optional[float]:
    """Seconds to wait before sending again, or None to stop. `status` None: no response.

    Reads top to bottom like @cairn/client's `retryDelay`.
    """
    # 1. Out of retries.
    if attempt >= max_retries:
        return None
    # 2. A POST may have been applied: send it again only when it carries an Idempotency-Key.
    if method not in IDEMPOTENT_METHODS and not has_idempotency_key:
        return None
    # 3. Only failures that may pass by themselves.
    if not _is_transient(status, retryable):
        return None
    # 4. The server said when to come back.
    wait = parse_retry_after(retry_after)
    if wait is not None:
        return wait if wait <= MAX_RETRY_AFTER else None
    # 5. Otherwise exponential backoff (0.5 s x 2^n, capped at 8 s) with full jitter.
    jitter = (random or _random.random)()
    return float(jitter * min(MAX_DELAY, INITIAL_DELAY * (1 << min(attempt, 30))))


def _is_transient(status: Optional[int], retryable: Optional[bool]) -> bool:
    if status is None:  # a connection failure or a client-side timeout
        return True
    if status == 429:
        return True
    if retryable is not None:  # Cairn's own problem says whether it is worth repeating
        return retryable and (status == 409 or status >= 500)
    return status in (502, 503, 504)  # a gateway's error page, with no problem body
