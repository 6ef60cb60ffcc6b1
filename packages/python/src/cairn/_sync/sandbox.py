# Generated from src/cairn/_async/sandbox.py by scripts/unasync.py: do not edit.
"""`Sandbox`: one sandbox's metadata, its files (`fs`), archives and script runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Mapping, Optional, Sequence, Union

import httpx

from .._base_client import (
    NOT_GIVEN,
    ApiRequest,
    NotGiven,
    RequestOptions,
    check_int,
    check_str,
    compact,
    exec_timeout,
    expiry_body,
    if_version,
    sandbox_path,
)
from .._exceptions import CairnError
from ..types import ExecBatchResult, ExecResult, SandboxData, SandboxUsage
from .archive import SandboxArchive
from .files import SandboxFiles
from .history import SandboxHistory
from .streaming import ExecStream
from .transport import Transport

CommitMode = Literal["always", "on_success", "never"]
ExecStepInput = Union[str, Mapping[str, Any]]


def exec_body(
    script: str,
    *,
    cwd: Optional[str],
    env: Optional[Mapping[str, str]],
    stdin: Optional[str],
    timeout_ms: Optional[int],
    commit: Optional[CommitMode],
    read_only: Optional[bool],
    max_output_bytes: Optional[int],
) -> dict[str, Any]:
    return compact(
        {
            "script": check_str("script", script),
            "cwd": cwd,
            "env": None if env is None else dict(env),
            "stdin": stdin,
            "timeoutMs": check_int("timeout_ms", timeout_ms, minimum=1),
            "commit": commit,
            "readOnly": read_only,
            "maxOutputBytes": check_int("max_output_bytes", max_output_bytes),
        }
    )


def update_body(
    *,
    name: Optional[str],
    env: Optional[Mapping[str, str]],
    persist_shell: Optional[bool],
    runtimes: Optional[Sequence[str]],
    policy: Optional[Mapping[str, Any]],
    reset_shell: Optional[bool],
    ttl: Optional[int],
    expires_at: Union[datetime, str, None, NotGiven],
    idle_timeout: Union[int, None, NotGiven],
) -> dict[str, Any]:
    body = compact(
        {
            "name": name,
            "env": None if env is None else dict(env),
            "persistShell": persist_shell,
            "runtimes": None if runtimes is None else list(runtimes),
            "policy": None if policy is None else dict(policy),
            "resetShell": reset_shell,
        }
    )
    body.update(expiry_body(ttl=ttl, expires_at=expires_at, idle_timeout=idle_timeout))
    if not body:
        raise ValueError("update() needs at least one field to change")
    return body


class Sandbox:
    """A sandbox: a file tree on the server that bash scripts run against. `data` is a
    snapshot from when it was fetched; `refresh()` updates it."""

    def __init__(
        self, transport: Transport, sandbox_id: str, data: Optional[SandboxData] = None
    ) -> None:
        self._transport = transport
        self._id = check_str("sandbox_id", sandbox_id)
        self._data = data
        self.fs = SandboxFiles(transport, sandbox_id)
        self.archive = SandboxArchive(transport, sandbox_id)
        self.history = SandboxHistory(transport, sandbox_id)

    def __repr__(self) -> str:
        return f"Sandbox(id={self._id!r})"

    @property
    def id(self) -> str:
        return self._id

    @property
    def data(self) -> SandboxData:
        """The sandbox's fields as last fetched (`attach()` has none until `refresh()`)."""
        if self._data is None:
            raise CairnError("This sandbox was attached without a request: call refresh() first")
        return self._data

    @property
    def name(self) -> Optional[str]:
        return self.data.name

    @property
    def version(self) -> int:
        return self.data.version

    def exec(
        self,
        script: str,
        *,
        cwd: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        stdin: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        commit: Optional[CommitMode] = None,
        read_only: Optional[bool] = None,
        max_output_bytes: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ExecResult:
        """Runs a bash script; its file changes commit in one step (per `commit`). A non-zero
        exit is a result, not an error. Retried with one Idempotency-Key, so the server replays
        the first run's result rather than running the script twice."""
        body = exec_body(
            script,
            cwd=cwd,
            env=env,
            stdin=stdin,
            timeout_ms=timeout_ms,
            commit=commit,
            read_only=read_only,
            max_output_bytes=max_output_bytes,
        )
        request = ApiRequest(
            "POST", sandbox_path(self._id, "/exec"), json=body, timeout=exec_timeout(timeout_ms)
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(ExecResult, request, options)

    def exec_stream(
        self,
        script: str,
        *,
        cwd: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        stdin: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        commit: Optional[CommitMode] = None,
        read_only: Optional[bool] = None,
        max_output_bytes: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ExecStream:
        """Runs a script like `exec()`, streaming `stdout`/`stderr` events as it runs, then one
        `exit`. Retried like `exec()` until the stream starts, never after."""
        body = exec_body(
            script,
            cwd=cwd,
            env=env,
            stdin=stdin,
            timeout_ms=timeout_ms,
            commit=commit,
            read_only=read_only,
            max_output_bytes=max_output_bytes,
        )
        request = ApiRequest(
            "POST",
            sandbox_path(self._id, "/exec"),
            json=body,
            headers={"Accept": "text/event-stream"},
            timeout=exec_timeout(timeout_ms),
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)

        def open() -> httpx.Response:
            response = self._transport.stream(request, options)
            kind = response.headers.get("content-type", "")
            if not kind.lower().startswith("text/event-stream"):
                response.close()
                raise CairnError(f'Expected an event stream from exec, got "{kind or "no body"}"')
            return response

        return ExecStream(open)

    def exec_batch(
        self,
        steps: Sequence[ExecStepInput],
        *,
        parallel: Optional[bool] = None,
        stop_on_error: Optional[bool] = None,
        commit: Optional[CommitMode] = None,
        timeout_ms: Optional[int] = None,
        max_output_bytes: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ExecBatchResult:
        """Runs several scripts in one call: in order against one journal and one commit, or
        `parallel` and read-only. A str step is `{"script": step}`."""
        if isinstance(steps, str) or not steps:
            raise ValueError("steps must be a non-empty list of scripts or step dicts")
        body = compact(
            {
                "steps": [
                    {"script": check_str("steps[]", s)} if isinstance(s, str) else dict(s)
                    for s in steps
                ],
                "parallel": parallel,
                "stopOnError": stop_on_error,
                "commit": commit,
                "timeoutMs": check_int("timeout_ms", timeout_ms, minimum=1),
                "maxOutputBytes": check_int("max_output_bytes", max_output_bytes),
            }
        )
        request = ApiRequest(
            "POST",
            sandbox_path(self._id, "/exec/batch"),
            json=body,
            timeout=exec_timeout(timeout_ms),
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return self._transport.call(ExecBatchResult, request, options)

    def update(
        self,
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
        """Changes the sandbox's settings (only if still at `if_version`, when given). Expiry:
        `ttl` (seconds from now) or `expires_at` sets when it expires, `expires_at=None` removes
        that; `idle_timeout` (seconds, counted from now) or `None` to remove it."""
        self._data = update_sandbox(
            self._transport,
            self._id,
            update_body(
                name=name,
                env=env,
                persist_shell=persist_shell,
                runtimes=runtimes,
                policy=policy,
                reset_shell=reset_shell,
                ttl=ttl,
                expires_at=expires_at,
                idle_timeout=idle_timeout,
            ),
            if_version,
            RequestOptions(timeout, max_retries, idempotency_key, extra_headers),
        )
        return self

    def refresh(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Sandbox:
        """Fetches the sandbox again and updates `data`."""
        request = ApiRequest("GET", sandbox_path(self._id))
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        self._data = self._transport.call(SandboxData, request, options)
        return self

    def usage(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> SandboxUsage:
        """Bytes and entries as the quota counts them, at the current version, with the quota."""
        request = ApiRequest("GET", f"{sandbox_path(self._id)}/usage")
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return self._transport.call(SandboxUsage, request, options)

    def delete(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Deletes the sandbox and all of its files."""
        request = ApiRequest("DELETE", sandbox_path(self._id))
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        self._transport.request(request, options)


def update_sandbox(
    transport: Transport,
    sandbox_id: str,
    body: dict[str, Any],
    version: Optional[int],
    options: RequestOptions,
) -> SandboxData:
    request = ApiRequest(
        "PATCH", sandbox_path(sandbox_id), json=body, headers={"If-Match": if_version(version)}
    )
    return transport.call(SandboxData, request, options)
