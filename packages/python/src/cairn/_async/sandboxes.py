"""`cairn.sandboxes`: create, get, list, update and delete sandboxes (async)."""

from __future__ import annotations

import base64
from typing import Any, Mapping, Optional, Sequence, Union

from .._base_client import ApiRequest, RequestOptions, check_int, check_str, compact
from ..types import SandboxData, SandboxPage
from .pagination import AsyncPage, AsyncPager
from .sandbox import AsyncSandbox, update_body, update_sandbox
from .transport import AsyncTransport

SeedFiles = Mapping[str, Union[str, bytes]]


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


class AsyncSandboxes:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    def attach(self, sandbox_id: str) -> AsyncSandbox:
        """A handle on an existing sandbox, without a request (`refresh()` fetches its data)."""
        return AsyncSandbox(self._transport, sandbox_id)

    async def create(
        self,
        *,
        name: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        persist_shell: Optional[bool] = None,
        runtimes: Optional[Sequence[str]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        files: Optional[SeedFiles] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncSandbox:
        """Creates a sandbox, optionally seeded with `files` (`{"/path": str | bytes}`)."""
        body = compact(
            {
                "name": name,
                "env": None if env is None else dict(env),
                "persistShell": persist_shell,
                "runtimes": None if runtimes is None else list(runtimes),
                "policy": None if policy is None else dict(policy),
                "files": seed_files(files),
            }
        )
        request = ApiRequest("POST", "/v1/sandboxes", json=body)
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        response = await self._transport.request(request, options)
        data = SandboxData.model_validate_json(response.content)
        return AsyncSandbox(self._transport, data.id, data)

    async def get(
        self,
        sandbox_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncSandbox:
        """Fetches a sandbox (`NotFoundError` when there is none)."""
        sandbox = AsyncSandbox(self._transport, sandbox_id)
        return await sandbox.refresh(
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
    ) -> AsyncPager[AsyncSandbox]:
        """Every sandbox, newest first, fetched a page at a time as you iterate."""
        check_int("limit", limit, minimum=1)
        options = RequestOptions(timeout, max_retries, None, extra_headers)

        async def load(cursor: Optional[str]) -> AsyncPage[AsyncSandbox]:
            params = {"limit": limit, "cursor": cursor}
            request = ApiRequest("GET", "/v1/sandboxes", params=params)
            response = await self._transport.request(request, options)
            page = SandboxPage.model_validate_json(response.content)
            items = [AsyncSandbox(self._transport, item.id, item) for item in page.items]
            return AsyncPage(items, page.next_cursor, load)

        return AsyncPager(load, cursor)

    async def update(
        self,
        sandbox_id: str,
        *,
        name: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        persist_shell: Optional[bool] = None,
        runtimes: Optional[Sequence[str]] = None,
        policy: Optional[Mapping[str, Any]] = None,
        reset_shell: Optional[bool] = None,
        if_version: Optional[int] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncSandbox:
        """Changes a sandbox's settings (only if still at `if_version`, when given)."""
        data = await update_sandbox(
            self._transport,
            check_str("sandbox_id", sandbox_id),
            update_body(
                name=name,
                env=env,
                persist_shell=persist_shell,
                runtimes=runtimes,
                policy=policy,
                reset_shell=reset_shell,
            ),
            if_version,
            RequestOptions(timeout, max_retries, idempotency_key, extra_headers),
        )
        return AsyncSandbox(self._transport, data.id, data)

    async def delete(
        self,
        sandbox_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Deletes a sandbox and all of its files."""
        await self.attach(sandbox_id).delete(
            timeout=timeout,
            max_retries=max_retries,
            idempotency_key=idempotency_key,
            extra_headers=extra_headers,
        )
