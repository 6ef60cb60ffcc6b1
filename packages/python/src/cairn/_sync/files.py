# Generated from src/cairn/_async/files.py by scripts/unasync.py: do not edit.
"""`sandbox.fs`: read, write and manage the files of one sandbox (sync)."""

from __future__ import annotations

from typing import Iterator, Literal, Mapping, Optional, Sequence

from .._base_client import (
    ApiRequest,
    RequestOptions,
    check_int,
    check_path,
    check_str,
    compact,
    range_header,
    sandbox_path,
)
from .._bodies import FileData, to_body
from .._exceptions import APIConnectionError
from ..types import (
    DirectoryEntry,
    DirectoryListing,
    EditResult,
    FileMetaResult,
    FileStat,
    GlobResult,
    GrepResult,
    MutationResult,
    PatchResult,
    ReadLinesResult,
    SearchResult,
    WriteResult,
)
from .pagination import Pager, paginate
from .transport import Transport


class SandboxFiles:
    """The file operations of one sandbox; paths are absolute (`/src/main.py`)."""

    def __init__(self, transport: Transport, sandbox_id: str) -> None:
        self._transport = transport
        self._id = sandbox_id

    def _path(self, suffix: str) -> str:
        return sandbox_path(self._id, suffix)

    def read(
        self,
        path: str,
        *,
        start: Optional[int] = None,
        end: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> bytes:
        """A file's bytes, or bytes `start`..`end` (inclusive). Symlinks are followed."""
        request = ApiRequest(
            "GET",
            self._path("/files"),
            params={"path": check_path("path", path)},
            headers={"Range": range_header(start, end)},
        )
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        response = self._transport.request(request, options)
        return response.content

    def read_text(
        self,
        path: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> str:
        """A file as UTF-8 text (invalid sequences become U+FFFD)."""
        data = self.read(
            path, timeout=timeout, max_retries=max_retries, extra_headers=extra_headers
        )
        return data.decode("utf-8", "replace")

    def iter_bytes(
        self,
        path: str,
        *,
        start: Optional[int] = None,
        end: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Iterator[bytes]:
        """A file's bytes as they arrive (nothing buffered); breaking out closes the connection."""
        request = ApiRequest(
            "GET",
            self._path("/files"),
            params={"path": check_path("path", path)},
            headers={"Range": range_header(start, end)},
        )
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        response = self._transport.stream(request, options)
        try:
            for chunk in response.iter_bytes():
                yield chunk
        except Exception as error:
            if isinstance(error, APIConnectionError):
                raise
            raise APIConnectionError(f"The download broke: {error!r}") from error
        finally:
            response.close()

    def write(
        self,
        path: str,
        data: FileData,
        *,
        mode: Optional[str] = None,
        if_match: Optional[str] = None,
        if_none_match: Optional[Literal["*"]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> WriteResult:
        """Creates or replaces a file, creating missing parents. bytes and str are retried; a
        file object or an iterator is streamed once."""
        body, one_shot = to_body(data)
        request = ApiRequest(
            "PUT",
            self._path("/files"),
            params={"path": check_path("path", path), "mode": mode},
            headers={
                "Content-Type": "application/octet-stream",
                "If-Match": if_match,
                "If-None-Match": if_none_match,
            },
            content=body,
            one_shot=one_shot,
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        response = self._transport.request(request, options)
        result = WriteResult.model_validate_json(response.content)
        result.etag = response.headers.get("etag") or result.file.etag or ""
        result.created = response.status_code == 201
        return result

    def create(
        self,
        path: str,
        data: FileData,
        *,
        mode: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> WriteResult:
        """Creates a file only if nothing is at the path (`If-None-Match: *`), else
        `PreconditionFailedError`: safe as a lock or a claim."""
        return self.write(
            path,
            data,
            mode=mode,
            if_none_match="*",
            timeout=timeout,
            max_retries=max_retries,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        path: str,
        *,
        recursive: Optional[bool] = None,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> MutationResult:
        """Deletes a file, symlink or directory (a non-empty one needs `recursive=True`)."""
        request = ApiRequest(
            "DELETE",
            self._path("/files"),
            params={"path": check_path("path", path), "recursive": recursive},
            headers={"If-Match": if_match},
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(MutationResult, request, options)

    def mkdir(
        self,
        path: str,
        *,
        parents: Optional[bool] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> MutationResult:
        """Creates a directory; with `parents`, also missing parents (an existing one is fine)."""
        body = compact({"path": check_path("path", path), "parents": parents})
        request = ApiRequest("POST", self._path("/fs/mkdir"), json=body)
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(MutationResult, request, options)

    def move(
        self,
        source: str,
        destination: str,
        *,
        overwrite: bool = False,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> MutationResult:
        """Moves or renames a file or directory."""
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transfer("/fs/move", source, destination, overwrite, options)

    def copy(
        self,
        source: str,
        destination: str,
        *,
        overwrite: bool = False,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> MutationResult:
        """Copies a file, or a directory with everything under it."""
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transfer("/fs/copy", source, destination, overwrite, options)

    def _transfer(
        self,
        endpoint: str,
        source: str,
        destination: str,
        overwrite: bool,
        options: RequestOptions,
    ) -> MutationResult:
        """A move or a copy: the two take the same body."""
        body = {
            "from": check_path("source", source),
            "to": check_path("destination", destination),
            "overwrite": overwrite,
        }
        request = ApiRequest("POST", self._path(endpoint), json=body)
        return self._transport.call(MutationResult, request, options)

    def stat(
        self,
        path: str,
        *,
        follow_symlinks: Optional[bool] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> FileStat:
        """What is at a path: type, size, mode, mtime, and a file's ETag."""
        request = ApiRequest(
            "GET",
            self._path("/fs/stat"),
            params={"path": check_path("path", path), "followSymlinks": follow_symlinks},
        )
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(FileStat, request, options)

    def list(
        self,
        path: str,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Pager[DirectoryEntry]:
        """A directory's entries: iterate for all of them (pages fetched as you go)."""
        check_path("path", path)
        return paginate(
            self._transport,
            self._path("/fs/list"),
            DirectoryListing.model_validate_json,
            lambda listing: listing.entries,
            params={"path": path},
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    def glob(
        self,
        pattern: str,
        *,
        path: Optional[str] = None,
        limit: Optional[int] = None,
        max_entries: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> GlobResult:
        """Paths under `path` (default `/`) matching a glob (`**`, `*`, `?`, `[a-z]`, `{a,b}`)."""
        params = {
            "pattern": check_str("pattern", pattern),
            "path": None if path is None else check_path("path", path),
            "limit": check_int("limit", limit, minimum=1),
            "maxEntries": check_int("max_entries", max_entries, minimum=1),
        }
        request = ApiRequest("GET", self._path("/fs/glob"), params=params)
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(GlobResult, request, options)

    def grep(
        self,
        pattern: str,
        *,
        path: Optional[str] = None,
        glob: Optional[str] = None,
        fixed_string: Optional[bool] = None,
        ignore_case: Optional[bool] = None,
        whole_word: Optional[bool] = None,
        context: Optional[int] = None,
        max_results: Optional[int] = None,
        max_line_bytes: Optional[int] = None,
        max_file_bytes: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> GrepResult:
        """The lines matching `pattern` (a JavaScript regex, or a plain string with
        `fixed_string`) in the files under `path`."""
        params = {
            "pattern": check_str("pattern", pattern),
            "path": None if path is None else check_path("path", path),
            "glob": glob,
            "fixedString": fixed_string,
            "ignoreCase": ignore_case,
            "wholeWord": whole_word,
            "context": check_int("context", context),
            "maxResults": check_int("max_results", max_results, minimum=1),
            "maxLineBytes": check_int("max_line_bytes", max_line_bytes, minimum=1),
            "maxFileBytes": check_int("max_file_bytes", max_file_bytes, minimum=1),
        }
        request = ApiRequest("GET", self._path("/fs/grep"), params=params)
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(GrepResult, request, options)

    def read_lines(
        self,
        path: str,
        *,
        start_line: Optional[int] = None,
        end_line: Optional[int] = None,
        max_bytes: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ReadLinesResult:
        """Lines `start_line`..`end_line` (1-based, inclusive) of a text file, with its total."""
        params = {
            "path": check_path("path", path),
            "startLine": check_int("start_line", start_line, minimum=1),
            "endLine": check_int("end_line", end_line, minimum=1),
            "maxBytes": check_int("max_bytes", max_bytes, minimum=1),
        }
        request = ApiRequest("GET", self._path("/fs/read"), params=params)
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(ReadLinesResult, request, options)

    def edit(
        self,
        path: str,
        old_string: str,
        new_string: str,
        *,
        replace_all: bool = False,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> EditResult:
        """Replaces `old_string` (there exactly once, unless `replace_all`) with `new_string`;
        else `EditMatchError`, and nothing changes."""
        body = {
            "path": check_path("path", path),
            "oldString": check_str("old_string", old_string),
            "newString": check_str("new_string", new_string, empty=True),
            "replaceAll": replace_all,
        }
        request = ApiRequest(
            "POST", self._path("/fs/edit"), json=body, headers={"If-Match": if_match}
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(EditResult, request, options)

    def patch(
        self,
        diff: str,
        *,
        path: Optional[str] = None,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> PatchResult:
        """Applies a unified diff (one or many files) all or nothing; `PatchConflictError` names
        the hunk that did not apply."""
        body = compact(
            {
                "patch": check_str("diff", diff),
                "path": None if path is None else check_path("path", path),
            }
        )
        request = ApiRequest(
            "POST", self._path("/fs/patch"), json=body, headers={"If-Match": if_match}
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(PatchResult, request, options)

    def search(
        self,
        query: str,
        *,
        tags: Optional[Sequence[str]] = None,
        path: Optional[str] = None,
        glob: Optional[str] = None,
        limit: Optional[int] = None,
        max_file_bytes: Optional[int] = None,
        mode: Optional[Literal["text", "semantic", "hybrid"]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> SearchResult:
        """Files ranked by the words of `query` (BM25 plus tags, summary and path).

        `mode="semantic"` ranks by embedding similarity and `"hybrid"` blends both, when the
        server has an embeddings provider; the answer's `mode` says which ranking ran.
        """
        if mode is not None and mode not in ("text", "semantic", "hybrid"):
            raise ValueError("mode must be 'text', 'semantic' or 'hybrid'")
        params = {
            "q": check_str("query", query, empty=True),
            "tag": None if tags is None else [check_str("tags[]", t) for t in tags],
            "path": None if path is None else check_path("path", path),
            "glob": glob,
            "limit": check_int("limit", limit, minimum=1),
            "maxFileBytes": check_int("max_file_bytes", max_file_bytes, minimum=1),
            "mode": mode,
        }
        request = ApiRequest("GET", self._path("/fs/search"), params=params)
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(SearchResult, request, options)

    def get_meta(
        self,
        path: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> FileMetaResult:
        """A file's tags and one-line summary."""
        request = ApiRequest(
            "GET", self._path("/fs/meta"), params={"path": check_path("path", path)}
        )
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(FileMetaResult, request, options)

    def set_meta(
        self,
        path: str,
        *,
        tags: Optional[Sequence[str]] = None,
        summary: Optional[str] = None,
        if_match: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> FileMetaResult:
        """Replaces a file's tags and summary (none given clears them); content and ETag stay."""
        if tags is not None and isinstance(tags, str):
            raise TypeError("tags must be a list of strings, not a str")
        body = compact({"tags": None if tags is None else list(tags), "summary": summary})
        request = ApiRequest(
            "PUT",
            self._path("/fs/meta"),
            params={"path": check_path("path", path)},
            json=body,
            headers={"If-Match": if_match},
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(FileMetaResult, request, options)
