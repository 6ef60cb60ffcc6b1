"""`sandbox.history`: one sandbox's commit log, snapshots, restores, diffs and watch (async)."""

from __future__ import annotations

from typing import Mapping, Optional, Union
from urllib.parse import quote

from .._base_client import (
    ApiRequest,
    RequestOptions,
    check_int,
    check_path,
    compact,
    sandbox_path,
    snapshot_id,
    version_ref,
)
from .._base_client import (
    if_version as version_header,
)
from ..types import Commit, CommitPage, RestoreResult, SandboxDiff, Snapshot, SnapshotPage
from .pagination import AsyncPager, paginate
from .transport import AsyncTransport
from .watch import AsyncCommitWatch

SnapshotRef = Union[str, Snapshot]
VersionRef = Union[int, str, Snapshot]


class AsyncSandboxHistory:
    """What changed in a sandbox, commit by commit (paths, who and how), its snapshots, and
    restoring or comparing them. Made by the sandbox: `sandbox.history`."""

    def __init__(self, transport: AsyncTransport, sandbox_id: str) -> None:
        self._transport = transport
        self._id = sandbox_id

    def commits(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncPager[Commit]:
        """The commit log, newest first, fetched a page at a time as you iterate: every commit
        still within the server's retention."""
        return paginate(
            self._transport,
            sandbox_path(self._id, "/commits"),
            CommitPage.model_validate_json,
            lambda page: page.items,
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    async def commit(
        self,
        version: int,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Commit:
        """The commit that made `version` (`NotFoundError`, code `commit_not_found`, once it
        left the log)."""
        check_int("version", version, minimum=1)
        request = ApiRequest("GET", sandbox_path(self._id, f"/commits/{version}"))
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return await self._transport.call(Commit, request, options)

    async def snapshot(
        self,
        *,
        name: Optional[str] = None,
        if_version: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Snapshot:
        """Freezes the current tree as a snapshot (metadata only: content is shared), only if the
        sandbox is still at `if_version` when given (`PreconditionFailedError` otherwise)."""
        request = ApiRequest(
            "POST",
            sandbox_path(self._id, "/snapshots"),
            json=compact({"name": name}),
            headers={"If-Match": version_header(if_version)},
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(Snapshot, request, options)

    def snapshots(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncPager[Snapshot]:
        """The sandbox's snapshots, newest first, fetched a page at a time as you iterate."""
        return paginate(
            self._transport,
            sandbox_path(self._id, "/snapshots"),
            SnapshotPage.model_validate_json,
            lambda page: page.items,
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    async def get_snapshot(
        self,
        snapshot: SnapshotRef,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Snapshot:
        request = ApiRequest("GET", self._snapshot_path(snapshot))
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return await self._transport.call(Snapshot, request, options)

    async def delete_snapshot(
        self,
        snapshot: SnapshotRef,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Deletes a snapshot; sandboxes forked from it are not affected."""
        request = ApiRequest("DELETE", self._snapshot_path(snapshot))
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        await self._transport.request(request, options)

    async def restore(
        self,
        target: VersionRef,
        *,
        if_version: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> RestoreResult:
        """Puts the files back as a snapshot has them (a `Snapshot` or its id), or as they were
        at a version the commit log still reaches (an int; `NotFoundError` with code
        `version_unavailable` once it does not), in one new commit (settings are kept), only if
        the sandbox is still at `if_version` when given. Undo it by restoring the version before
        it."""
        if isinstance(target, int) and not isinstance(target, bool):
            body: dict[str, object] = {"version": check_int("target", target, minimum=1)}
        else:
            body = {"snapshotId": snapshot_id(target, "target")}
        request = ApiRequest(
            "POST",
            sandbox_path(self._id, "/restore"),
            json=body,
            headers={"If-Match": version_header(if_version)},
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(RestoreResult, request, options)

    async def diff(
        self,
        from_: VersionRef,
        to: Optional[VersionRef] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> SandboxDiff:
        """What differs between two states, each a snapshot (id or `Snapshot`) or a version (the
        current one, a snapshot's, or one the commit log still reaches; `to` defaults to now):
        the changed paths and a unified diff of each changed text file."""
        params = {
            "from": version_ref("from_", from_),
            "to": None if to is None else version_ref("to", to),
        }
        request = ApiRequest("GET", sandbox_path(self._id, "/diff"), params=params)
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return await self._transport.call(SandboxDiff, request, options)

    def watch(
        self,
        *,
        path: Optional[str] = None,
        after: Optional[int] = None,
        reconnect_delay: float = 1.0,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncCommitWatch:
        """The sandbox's commits as they land (through any server replica), in version order,
        each once: a dropped connection is reopened after `reconnect_delay` seconds with
        `Last-Event-ID`, so none is missed or repeated. Starts after version `after` (its later
        commits are replayed from the log), by default after the current version; `path` keeps
        only commits that changed that path or anything under it. Iteration ends when the sandbox
        is deleted; close the watch (or leave its `with` block) to stop earlier. While the server
        cannot be reached (or answers with a retryable error, as when it restarts) it keeps
        trying; other errors are raised. `timeout` also bounds a silence on the stream (the
        server sends keep-alives) before it is reopened."""
        return AsyncCommitWatch(
            self._transport,
            self._id,
            path=None if path is None else check_path("path", path),
            after=check_int("after", after),
            reconnect_delay=_delay(reconnect_delay),
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    def _snapshot_path(self, snapshot: SnapshotRef) -> str:
        return sandbox_path(self._id, f"/snapshots/{quote(snapshot_id(snapshot), safe='')}")


def _delay(seconds: object) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(f"reconnect_delay must be a number of seconds >= 0, got {seconds!r}")
    return float(seconds)
