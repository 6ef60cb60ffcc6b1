"""`sandboxes.create_from_archive`, sync and async, against the reference server (memory, then
Postgres): more files than a JSON create may carry, settings, and refusals that leave no sandbox."""

from __future__ import annotations

import io
import secrets
import tarfile
from pathlib import Path

import pytest

import cairn as sdk
from cairn import AsyncCairn, Cairn
from cairn.types import TenantLimits

from .servers import Server


def tar_of(files: dict[str, bytes], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def unique(what: str) -> str:
    return f"py {what} {secrets.token_hex(4)}"


def test_more_files_than_a_json_create_all_kept(cairn: Cairn) -> None:
    files = {f"seed/d{i % 40}/f{i}.txt": f"file {i}\n".encode() for i in range(10_001)}
    sandbox = cairn.sandboxes.create_from_archive(tar_of(files), name="many", timeout=120)
    try:
        assert sandbox.version == 1
        listed = sandbox.exec("find /seed -type f | wc -l; cat /seed/d0/f10000.txt").stdout
        assert listed.split() == ["10001", "file", "10000"]
        assert sandbox.fs.read_text("/seed/d0/f0.txt") == "file 0\n"
    finally:
        sandbox.delete()


def test_a_directory_with_settings(cairn: Cairn, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("from disk")
    sandbox = cairn.sandboxes.create_from_archive(
        tmp_path,
        path="/home/user/proj",
        name="from a directory",
        env={"CI": "1", "EQ": "a=b"},
        persist_shell=True,
        policy={"denyGlobs": ["**/*.key"]},
        ttl=600,
    )
    try:
        data = sandbox.data
        assert (data.name, data.env, data.persist_shell) == (
            "from a directory",
            {"CI": "1", "EQ": "a=b"},
            True,
        )
        assert data.expires_at is not None
        assert data.policy.deny_globs == ["**/*.key"]
        assert sandbox.fs.read_text("/home/user/proj/src/a.txt") == "from disk"
    finally:
        sandbox.delete()


@pytest.mark.anyio
async def test_async_gzip_bytes_a_file_object_and_a_refusal(acairn: AsyncCairn) -> None:
    gz = await acairn.sandboxes.create_from_archive(tar_of({"run.sh": b"echo hi\n"}, "w:gz"))
    assert (await gz.fs.stat("/run.sh")).mode == 0o755  # gzip sniffed, mode kept
    await gz.delete()
    from_file = await acairn.sandboxes.create_from_archive(io.BytesIO(tar_of({"b": b"plain"})))
    assert await from_file.fs.read_text("/b") == "plain"
    await from_file.delete()

    name = unique("refused")
    evil = tar_of({"ok.txt": b"ok", "sub/../../evil": b"x"})
    with pytest.raises(sdk.ArchiveRejectedError) as caught:
        await acairn.sandboxes.create_from_archive(evil, name=name)
    assert caught.value.code == "archive_unsafe_entry"
    assert name not in [s.name async for s in acairn.sandboxes.list()]


def test_over_the_quota_leaves_no_sandbox(server: Server) -> None:
    if server.admin_key is None:
        pytest.skip("--memory has no stored keys, so no admin key (runs on Postgres)")
    with Cairn(base_url=server.url, api_key=server.admin_key) as admin:
        tenant = admin.tenants.create(limits=TenantLimits(sandbox_max_files=10))
        key = admin.tenants.create_key(tenant.id)
        try:
            with Cairn(base_url=server.url, api_key=key.key) as client:
                files = {f"f{i}": b"" for i in range(10)}
                with pytest.raises(sdk.QuotaExceededError) as caught:
                    client.sandboxes.create_from_archive(tar_of(files))
                assert (caught.value.status, caught.value.code) == (507, "EDQUOT")
                assert list(client.sandboxes.list()) == []
        finally:
            admin.keys.revoke(key.id)
            admin.tenants.delete(tenant.id)


def test_runtimes_policy_and_idle_timeout(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create_from_archive(
        b"\0" * 1024,  # an empty archive: just the end marker
        runtimes=["python3"],
        policy={"readOnly": True},
        idle_timeout=60,
    )
    data = sandbox.data
    assert (data.runtimes, data.policy.read_only, data.idle_timeout) == (["python3"], True, 60)
    sandbox.delete()
