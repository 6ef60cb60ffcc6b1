"""`cairn.tenants` and `cairn.keys`: the admin API (admin keys only) (async)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union
from urllib.parse import quote

from .._base_client import ApiRequest, RequestOptions, check_str, compact
from ..types import ApiKey, ApiKeyPage, CreatedApiKey, Tenant, TenantLimits, TenantPage
from .pagination import AsyncPager, paginate
from .transport import AsyncTransport


def _tenant_path(tenant_id: str, suffix: str = "") -> str:
    return f"/v1/tenants/{quote(check_str('tenant_id', tenant_id), safe='')}{suffix}"


def _limits_json(limits: Union[TenantLimits, Mapping[str, Any]]) -> dict[str, Any]:
    """A tenant's limits as the API takes them; a mapping may use snake_case or camelCase names."""
    model = limits if isinstance(limits, TenantLimits) else TenantLimits.model_validate(limits)
    return model.model_dump(by_alias=True, exclude_none=True)


def _key_path(key_id: str) -> str:
    return f"/v1/keys/{quote(check_str('key_id', key_id), safe='')}"


class AsyncTenants:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def create(
        self,
        *,
        id: Optional[str] = None,
        name: Optional[str] = None,
        limits: Optional[Union[TenantLimits, Mapping[str, Any]]] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Tenant:
        """Creates a tenant, with your id (e.g. your customer's) or a generated `ten_...`, and
        optionally its own `limits` (rate per key, quota per sandbox) instead of the server's."""
        body = compact(
            {"id": id, "name": name, "limits": None if limits is None else _limits_json(limits)}
        )
        request = ApiRequest("POST", "/v1/tenants", json=body)
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(Tenant, request, options)

    async def set_limits(
        self,
        tenant_id: str,
        limits: Union[TenantLimits, Mapping[str, Any]],
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Tenant:
        """Replaces the tenant's own limits (`{}` clears them): each one set applies to every key
        of the tenant instead of the server's value (`GET /v1/limits` with its key shows them)."""
        request = ApiRequest(
            "PATCH", _tenant_path(tenant_id), json={"limits": _limits_json(limits)}
        )
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(Tenant, request, options)

    async def get(
        self,
        tenant_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Tenant:
        request = ApiRequest("GET", _tenant_path(tenant_id))
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return await self._transport.call(Tenant, request, options)

    def list(
        self,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncPager[Tenant]:
        return paginate(
            self._transport,
            "/v1/tenants",
            TenantPage.model_validate_json,
            lambda page: page.items,
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )

    async def delete(
        self,
        tenant_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Deletes a tenant and its keys (`ConflictError` while it still owns sandboxes)."""
        request = ApiRequest("DELETE", _tenant_path(tenant_id))
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        await self._transport.request(request, options)

    async def create_key(
        self,
        tenant_id: str,
        *,
        name: Optional[str] = None,
        read_only: Optional[bool] = None,
        sandbox_ids: Optional[Sequence[str]] = None,
        expires_at: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> CreatedApiKey:
        """Creates an API key for a tenant; its secret is in the result, and only there."""
        body = compact(
            {
                "name": name,
                "readOnly": read_only,
                "sandboxIds": None if sandbox_ids is None else list(sandbox_ids),
                "expiresAt": expires_at,
            }
        )
        request = ApiRequest("POST", _tenant_path(tenant_id, "/keys"), json=body)
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(CreatedApiKey, request, options)

    def list_keys(
        self,
        tenant_id: str,
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> AsyncPager[ApiKey]:
        """A tenant's keys (never their secrets)."""
        return paginate(
            self._transport,
            _tenant_path(tenant_id, "/keys"),
            ApiKeyPage.model_validate_json,
            lambda page: page.items,
            limit=limit,
            cursor=cursor,
            options=RequestOptions(timeout, max_retries, None, extra_headers),
        )


class AsyncKeys:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def get(
        self,
        key_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ApiKey:
        request = ApiRequest("GET", _key_path(key_id))
        options = RequestOptions(timeout, max_retries, None, extra_headers)
        return await self._transport.call(ApiKey, request, options)

    async def revoke(
        self,
        key_id: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> ApiKey:
        """Revokes a key: refused from the next request on."""
        request = ApiRequest("DELETE", _key_path(key_id))
        options = RequestOptions(timeout, max_retries, idempotency_key, extra_headers)
        return await self._transport.call(ApiKey, request, options)
