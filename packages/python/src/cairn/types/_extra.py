"""Client-side extensions of generated models: fields the client reads from response headers."""

from __future__ import annotations

from . import _generated


class WriteResult(_generated.WriteResult):
    """A write's result, plus the file's new ETag (from the `ETag` header) and whether it was
    created (201) rather than replaced."""

    etag: str = ""
    created: bool = False
