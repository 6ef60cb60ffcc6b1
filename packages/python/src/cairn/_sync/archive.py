# Generated from src/cairn/_async/archive.py by scripts/unasync.py: do not edit.
"""`sandbox.archive`: tar / tar.gz upload and download, streamed both ways (sync)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Iterable, Mapping, Optional, Union

from .._base_client import ApiRequest, RequestOptions, check_path, if_version, sandbox_path
from .._bodies import call, file_chunks, iterate
from .._exceptions import APIConnectionError
from .._tar import StrPath, extract, looks_gzipped, tar_directory
from ..types import ArchiveImportResult
from .transport import Transport

ArchiveSource = Union[StrPath, bytes, IO[bytes], Iterable[bytes], Iterable[bytes]]


class SandboxArchive:
    def __init__(self, transport: Transport, sandbox_id: str) -> None:
        self._transport = transport
        self._id = sandbox_id

    def upload(
        self,
        source: ArchiveSource,
        *,
        path: Optional[str] = None,
        if_version: Optional[int] = None,
        gzip: Optional[bool] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ArchiveImportResult:
        """Imports into `path` (default `/`) in one commit: a local directory (tarred as it is
        sent), a .tar / .tar.gz file path, a binary file object, bytes or an iterator of bytes.
        Everything but bytes is streamed once (not retried). gzip is detected unless given."""
        content, compressed, one_shot = archive_body(source, gzip)
        request = ApiRequest(
            "POST",
            sandbox_path(self._id, "/archive"),
            params={"path": None if path is None else check_path("path", path)},
            headers={
                "Content-Type": "application/gzip" if compressed else "application/x-tar",
                "If-Match": _if_version(if_version),
            },
            content=content if isinstance(content, bytes) else iterate(content),
            one_shot=one_shot,
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(ArchiveImportResult, request, options)

    def download(
        self,
        destination: Union[StrPath, IO[bytes]],
        *,
        path: Optional[str] = None,
        extract_to_directory: Optional[bool] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> int:
        """Exports `path` (default `/`) as a tar, streamed: into a binary file object, into a
        file path (the .tar itself), or extracted into a directory (an existing directory, or
        any path with `extract_to_directory=True`). Returns the sandbox version it shows."""
        request = ApiRequest(
            "GET",
            sandbox_path(self._id, "/archive"),
            params={"path": None if path is None else check_path("path", path)},
        )
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        to_dir = False
        if isinstance(destination, (str, os.PathLike)):
            given = extract_to_directory
            to_dir = Path(destination).is_dir() if given is None else given
        response = self._transport.stream(request, options)
        try:
            version = int(response.headers.get("cairn-sandbox-version", "-1"))
            if not isinstance(destination, (str, os.PathLike)):
                _save(response.iter_bytes(), destination)
            elif not to_dir:
                with open(destination, "wb") as file:
                    _save(response.iter_bytes(), file)
            else:
                # Spooled to a temporary file (streamed to disk, never held in memory), then
                # extracted: tarfile reads synchronously.
                with tempfile.TemporaryFile() as spool:
                    _save(response.iter_bytes(), spool)
                    spool.seek(0)
                    call(extract, spool, destination)
        finally:
            response.close()
        return version


def _save(chunks: Iterable[bytes], file: IO[bytes]) -> None:
    try:
        for chunk in chunks:
            file.write(chunk)
    except OSError:
        raise
    except Exception as error:
        raise APIConnectionError(f"The download broke: {error!r}") from error


def _if_version(version: Optional[int]) -> Optional[str]:
    return if_version(version)


def archive_body(
    source: ArchiveSource, gzip: Optional[bool]
) -> tuple[Union[bytes, Iterable[bytes], Iterable[bytes]], bool, bool]:
    """The body, whether it is gzip, and whether it is a one-shot stream."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return data, looks_gzipped(data) if gzip is None else gzip, False
    if isinstance(source, (str, os.PathLike)):
        location = Path(source)
        if location.is_dir():
            return tar_directory(location), bool(gzip), True
        with open(location, "rb") as probe:
            head = probe.read(2)
        return _read_path(location), looks_gzipped(head) if gzip is None else gzip, True
    if hasattr(source, "read"):
        file: IO[bytes] = source  # type: ignore[assignment]
        compressed = gzip
        if compressed is None:
            compressed = False
            if file.seekable():
                at = file.tell()
                compressed = looks_gzipped(file.read(2))
                file.seek(at)
        return file_chunks(file), compressed, True
    if isinstance(source, (Iterable, Iterable)) and not isinstance(source, str):
        return source, bool(gzip), True
    raise TypeError(f"cannot upload {type(source).__name__} as an archive")


def _read_path(location: Path) -> Iterable[bytes]:
    with open(location, "rb") as file:
        yield from file_chunks(file)
