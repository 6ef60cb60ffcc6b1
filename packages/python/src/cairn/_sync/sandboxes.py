# Generated from src/cairn/_async/sandboxes.py by scripts/unasync.py: do not edit.
"""`cairn.sandboxes`: create (from arguments or an archive), get, list, update and delete
sandboxes (sync)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, Union

from .._base_client import (
    NOT_GIVEN,
    ApiRequest,
    NotGiven,
    RequestOptions,
    check_path,
    check_str,
    compact,
    creation_expiry,
)
from .._bodies import iterate
from ..types import ForkSource, SandboxData, SandboxPage, Snapshot
from .archive import ArchiveSource, archive_body
from .pagination import Pager, paginate
from .sandbox import Sandbox
from .transport import Transport

SeedFiles = Mapping[str, Union[str, bytes]]
# What a sandbox can be forked from: a snapshot or a sandbox, by id (`snp_...` / `sbx_...`) or
# as the object the SDK returned.
ForkFrom = Union[str, Snapshot, Sandbox, ForkSource]


def fork_source(source: Optional[ForkFrom]) -> Optional[dict[str, str]]:
    """`from_` as the API's `from`: `{"snapshotId": ...}` or `{"sandboxId": ...}`."""
    if source is None:
        return None
    if isinstance(source, ForkSource):
        return source.model_dump(by_alias=True, exclude_none=True)
    if isinstance(source, Snapshot):
        return {"snapshotId": source.id}
    if isinstance(source, Sandbox):
        return {"sandboxId": source.id}
    check_str("from_", source)
    if source.startswith("snp_"):
        return {"snapshotId": source}
    if source.startswith("sbx_"):
        return {"sandboxId": source}
    raise ValueError(f"from_ must be a snapshot (snp_...) or sandbox (sbx_...) id, got {source!r}")


def seed_files(files: Optional[SeedFiles]) -> Optional[list[dict[str, str]]]:
    """`{"/path": content}` as the API's seed files: str as UTF-8, bytes as base64."""
    if files is None:
        return None
    out = []
    for path, content in files.items():
        check_str("files key", path)
        if isinstance(content, str):
            out.append({"path": path, "content": content, "encoding": "utf8"})
        elif isinstance(content, (bytes, bytearray)):
            encoded = base64.b64encode(bytes(content)).decode()
            out.append({"path": path, "content": encoded, "encoding": "base64"})
        else:
            raise TypeError(f"files[{path!r}] must be str or bytes, got {type(content).__name__}")
    return out


class Sandboxes:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def attach(self, sandbox_id: str) -> Sandbox:
        """A handle on an existing sandbox, without a request (`refresh()` fetches its data)."""
        return Sandbox(self._transport, sandbox_id)

    def create(
        self,
        *,
        name: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        persist_shell: Optional[bool] = None,
        runtimes: Optional[Sequence[str]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        files: Optional[SeedFiles] = None,
        from_: Optional[ForkFrom] = None,
        ttl: Optional[int] = None,
        expires_at: Optional[Union[datetime, str]] = None,
        idle_timeout: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Sandbox:
        """Creates a sandbox, optionally seeded with `files` (`{"/path": str | bytes}`), or with
        `from_` a fork of a snapshot or of another sandbox (a `Snapshot`, a sandbox, or an id):
        its files as they are now, sharing content; settings are not copied. It expires (then
        answers `NotFoundError` and is deleted) `ttl` seconds from now or at `expires_at` (a
        timezone-aware datetime or an ISO 8601 string), and/or after `idle_timeout` seconds
        without activity."""
        body = compact(
            {
                "name": name,
                "env": None if env is None else dict(env),
                "persistShell": persist_shell,
                "runtimes": None if runtimes is None else list(runtimes),
                "policy": None if policy is None else dict(policy),
                "files": seed_files(files),
                "from": fork_source(from_),
            }
        )
        body.update(creation_expiry(ttl=ttl, expires_at=expires_at, idle_timeout=idle_timeout))
        request = ApiRequest("POST", "/v1/sandboxes", json=body)
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        data = self._transport.call(SandboxData, request, options)
        return Sandbox(self._transport, data.id, data)

    def create_from_archive(
        self,
        source: ArchiveSource,
        *,
        path: Optional[str] = None,
        gzip: Optional[bool] = None,
        name: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        persist_shell: Optional[bool] = None,
        runtimes: Optional[Sequence[str]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        ttl: Optional[int] = None,
        expires_at: Optional[Union[datetime, str]] = None,
        idle_timeout: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Sandbox:
        """Creates a sandbox seeded with a tar / tar.gz, unpacked into `path` (default `/`) in
        its first commit: it exists with every entry, or not at all (`ArchiveRejectedError`, or
        `QuotaExceededError` past the quota). Unlike `files` (at most 10,000),
        the archive may hold as many files as the sandbox quota allows. `source` is what
        `sandbox.archive.upload()` takes: a local directory (tarred as it is sent), a .tar /
        .tar.gz path, a binary file object, bytes or an iterator of bytes; everything but bytes
        is streamed once (not retried). The other settings are those of `create()`."""
        content, compressed, one_shot = archive_body(source, gzip)
        params: dict[str, Any] = {
            "path": None if path is None else check_path("path", path),
            "name": name,
            "env": None if env is None else [f"{k}={v}" for k, v in env.items()],
            "persistShell": persist_shell,
            "runtimes": None if runtimes is None else list(runtimes),
            "policy": None if policy is None else json.dumps(dict(policy), separators=(",", ":")),
        }
        params.update(creation_expiry(ttl=ttl, expires_at=expires_at, idle_timeout=idle_timeout))
        request = ApiRequest(
            "POST",
            "/v1/sandboxes",
            params=params,
            headers={"Content-Type": "application/gzip" if compressed else "application/x-tar"},
            content=content if isinstance(content, bytes) else iterate(content),
            one_shot=one_shot,
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        data = self._transport.call(SandboxData, request, options)
        return Sandbox(self._transport, data.id, data)

    def get(
        self,
        sandbox_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Sandbox:
        """Fetches a sandbox (`NotFoundError` when there is none)."""
        sandbox = Sandbox(self._transport, sandbox_id)
        return sandbox.refresh(
            timeout=timeout, max_retries=max_retries, extra_headers=extra_headers
        )

    def list(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Pager[Sandbox]:
        """Every sandbox, newest first, fetched a page at a time as you iterate."""
        return paginate(
            self._transport,
            "/v1/sandboxes",
            SandboxPage.model_validate_json,
            lambda page: [Sandbox(self._transport, item.id, item) for item in page.items],
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    def update(
        self,
        sandbox_id: str,
        *,
        name: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        persist_shell: Optional[bool] = None,
        runtimes: Optional[Sequence[str]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        reset_shell: Optional[bool] = None,
        ttl: Optional[int] = None,
        expires_at: Union[datetime, str, None, NotGiven] = NOT_GIVEN,
        idle_timeout: Union[int, None, NotGiven] = NOT_GIVEN,
        if_version: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Sandbox:
        """Changes a sandbox's settings (only if still at `if_version`, when given); the expiry
        arguments are as in `Sandbox.update()`."""
        return self.attach(sandbox_id).update(
            name=name,
            env=env,
            persist_shell=persist_shell,
            runtimes=runtimes,
            policy=policy,
            reset_shell=reset_shell,
            ttl=ttl,
            expires_at=expires_at,
            idle_timeout=idle_timeout,
            if_version=if_version,
            timeout=timeout,
            max_retries=max_retries,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        sandbox_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Deletes a sandbox and all of its files."""
        self.attach(sandbox_id).delete(
            timeout=timeout,
            max_retries=max_retries,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
        )
