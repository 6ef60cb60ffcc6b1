"""Every method, sync and async, against the built reference server (memory, then Postgres)."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import cairn as sdk
from cairn import AsyncCairn, Cairn, ExecExitEvent
from cairn.types import TenantLimits

from .servers import Server

DIFF = "--- a/g.txt\n+++ b/g.txt\n@@ -1 +1 @@\n-hello\n+hello world\n"


def test_every_sync_method(cairn: Cairn, server: Server, tmp_path: Path) -> None:
    assert cairn.health().status == "ok"
    assert cairn.limits() is not None
    sandbox = cairn.sandboxes.create(name="py", files={"/in.txt": "b\na\n", "/b.bin": b"\x00\xff"})
    assert sandbox.name == "py" and sandbox.version >= 1
    assert cairn.sandboxes.get(sandbox.id).id == sandbox.id
    assert sandbox.id in [s.id for s in cairn.sandboxes.list(limit=1)]
    assert cairn.sandboxes.list(limit=1).first_page().items
    usage = sandbox.usage()
    assert (usage.bytes, usage.version) == (6, sandbox.version) and usage.max_bytes > 0

    fs = sandbox.fs
    assert fs.read("/b.bin") == b"\x00\xff"
    assert fs.read_text("/in.txt") == "b\na\n"
    assert fs.read("/in.txt", start=1, end=2) == b"\na"
    assert b"".join(fs.iter_bytes("/in.txt", start=2)) == b"a\n"
    written = fs.write("/dir/w.txt", "hello")
    assert written.created and written.etag
    assert not fs.write("/dir/w.txt", io.BytesIO(b"from a file")).created
    assert fs.read("/dir/w.txt") == b"from a file"
    fs.write("/gen.txt", (bytes([65 + i]) for i in range(3)))
    assert fs.read_text("/gen.txt") == "ABC"
    fs.create("/lock", "mine")
    with pytest.raises(sdk.PreconditionFailedError):
        fs.create("/lock", "theirs")
    with pytest.raises(sdk.PreconditionFailedError):
        fs.write("/dir/w.txt", "x", if_match='"nope"')
    fs.mkdir("/a/b", parents=True)
    fs.move("/lock", "/a/b/lock")
    fs.copy("/a", "/a2")
    assert fs.stat("/a2/b/lock").size == 4
    assert sorted(e.name for e in fs.list("/a2/b")) == ["lock"]
    assert fs.glob("**/lock").paths == ["/a/b/lock", "/a2/b/lock"]
    assert fs.grep("mine", path="/a").matches[0].path == "/a/b/lock"
    lines = fs.read_lines("/in.txt", start_line=2)
    assert (lines.text, lines.total_lines) == ("a\n", 2)
    fs.write("/g.txt", "hello\n")
    assert fs.patch(DIFF).files[0].path == "/g.txt"
    fs.edit("/g.txt", "world", "there")
    with pytest.raises(sdk.EditMatchError) as no_match:
        fs.edit("/g.txt", "absent", "x")
    assert no_match.value.code == "edit_no_match"
    with pytest.raises(sdk.PatchConflictError):
        fs.patch(DIFF)
    assert fs.read_text("/g.txt") == "hello there\n"
    fs.set_meta("/g.txt", tags=["greeting"], summary="Says hello.")
    assert fs.get_meta("/g.txt").tags == ["greeting"]
    assert fs.search("hello", tags=["greeting"]).hits[0].path == "/g.txt"
    assert fs.search("hello", mode="text").mode == "text"
    # This server has no embeddings provider: semantic ranking is refused, clearly.
    with pytest.raises(sdk.APIError) as no_semantic:
        fs.search("hello", mode="semantic")
    assert no_semantic.value.code == "semantic_search_unavailable"
    fs.delete("/a2", recursive=True)
    with pytest.raises(sdk.NotFoundError) as missing:
        fs.stat("/a2")
    assert missing.value.code == "ENOENT" and missing.value.request_id

    result = sandbox.exec("sort /in.txt | tee /sorted.txt; exit 3")
    assert (result.stdout, result.exit_code) == ("a\nb\n", 3)
    batch = sandbox.exec_batch(["echo one > /1.txt", {"script": "cat /1.txt"}])
    assert batch.results[1].stdout == "one\n"
    events = list(sandbox.exec_stream("echo out; echo err >&2"))
    assert [e.type for e in events] == ["stdout", "stderr", "exit"]
    assert isinstance(events[-1], ExecExitEvent) and events[-1].exit_code == 0
    with pytest.raises(sdk.TimeoutError):
        sandbox.exec_stream("while true; do :; done", timeout_ms=200).result()

    sandbox.update(name="renamed", persist_shell=True)
    assert sandbox.name == "renamed"
    with pytest.raises(sdk.PreconditionFailedError):
        sandbox.update(name="late", if_version=0)
    attached = cairn.sandboxes.attach(sandbox.id)
    assert attached.refresh().name == "renamed"
    assert cairn.sandboxes.update(sandbox.id, env={"A": "1"}).data.env == {"A": "1"}

    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "sub" / "x.txt").write_text("x")
    assert sandbox.archive.upload(tmp_path / "src", path="/up").files == 1
    assert fs.read_text("/up/sub/x.txt") == "x"
    sandbox.archive.download(tmp_path / "out", path="/up", extract_to_directory=True)
    assert (tmp_path / "out" / "sub" / "x.txt").read_text() == "x"

    sandbox.delete()
    with pytest.raises(sdk.NotFoundError):
        cairn.sandboxes.get(sandbox.id)
    other = cairn.sandboxes.create()
    cairn.sandboxes.delete(other.id)


@pytest.mark.anyio
async def test_every_async_method(acairn: AsyncCairn, tmp_path: Path) -> None:
    assert (await acairn.health()).status == "ok"
    await acairn.limits()
    sandbox = await acairn.sandboxes.create(files={"/in.txt": "b\na\n"})
    assert (await sandbox.usage()).bytes == 4
    assert (await acairn.sandboxes.get(sandbox.id)).id == sandbox.id
    assert sandbox.id in [s.id async for s in acairn.sandboxes.list()]
    fs = sandbox.fs
    assert await fs.read_text("/in.txt") == "b\na\n"
    assert await fs.read("/in.txt", start=0, end=0) == b"b"
    assert b"".join([c async for c in fs.iter_bytes("/in.txt")]) == b"b\na\n"

    async def chunks() -> AsyncIterator[bytes]:
        yield b"as"
        yield b"ync"

    await fs.write("/w.txt", chunks())
    assert await fs.read_text("/w.txt") == "async"
    await fs.create("/c.txt", b"c")
    await fs.mkdir("/d")
    await fs.move("/c.txt", "/d/c.txt")
    await fs.copy("/d", "/e")
    assert (await fs.stat("/e/c.txt")).size == 1
    assert [e.name async for e in fs.list("/e")] == ["c.txt"]
    assert (await fs.glob("/e/*")).paths == ["/e/c.txt"]
    assert (await fs.grep("async")).matches[0].path == "/w.txt"
    assert (await fs.read_lines("/in.txt", end_line=1)).text == "b\n"
    await fs.write("/g.txt", "hello\n")
    await fs.patch(DIFF)
    await fs.edit("/g.txt", "world", "there")
    await fs.set_meta("/g.txt", summary="greets")
    assert (await fs.get_meta("/g.txt")).summary == "greets"
    assert (await fs.search("there")).hits[0].path == "/g.txt"
    await fs.delete("/e", recursive=True)
    result = await sandbox.exec("cat /g.txt")
    assert result.stdout == "hello there\n"
    batch = await sandbox.exec_batch(["echo a", "echo b"], parallel=True)
    assert [r.stdout for r in batch.results] == ["a\n", "b\n"]
    stream = await sandbox.exec_stream("printf 'x%.0s' 1 2 3").result()
    assert stream.stdout == b"xxx"
    await sandbox.update(name="async")
    assert (await acairn.sandboxes.update(sandbox.id, name="again")).name == "again"
    assert (await acairn.sandboxes.attach(sandbox.id).refresh()).name == "again"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("f")
    await sandbox.archive.upload(tmp_path / "d", path="/arch")
    buffer = io.BytesIO()
    await sandbox.archive.download(buffer, path="/arch")
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        assert "f.txt" in [m.name.lstrip("./") for m in tar.getmembers()]
    await acairn.sandboxes.delete(sandbox.id)
    with pytest.raises(sdk.NotFoundError):
        await sandbox.refresh()


def test_a_lost_response_is_replayed_by_idempotency_key(server: Server) -> None:
    """The first exec's response is dropped on the way back; the retry (same key) gets the
    first run's result replayed instead of running the script again."""
    lost = {"done": False}

    class DropFirstResponse(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if request.url.path.endswith("/exec") and not lost["done"]:
                lost["done"] = True
                response.read()
                response.close()
                raise httpx.ReadError("connection reset after the server answered")
            return response

    http = httpx.Client(transport=DropFirstResponse())
    with Cairn(base_url=server.url, api_key=server.api_key, http_client=http) as client:
        sandbox = client.sandboxes.create()
        result = sandbox.exec("echo x >> /count.txt; wc -l < /count.txt")
        assert lost["done"]
        assert result.stdout.strip() == "1"
        assert sandbox.fs.read_text("/count.txt") == "x\n"  # ran once, not twice
        with pytest.raises(sdk.IdempotencyKeyMismatchError):
            sandbox.exec("echo a", idempotency_key="k-1")
            sandbox.exec("echo b", idempotency_key="k-1")
    http.close()


def test_a_50_mb_archive_round_trip_streamed(cairn: Cairn, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    big = source / "big.bin"
    with open(big, "wb") as file:
        for _ in range(50):
            file.write(os.urandom(1024 * 1024))
    (source / "small.txt").write_text("small")
    sandbox = cairn.sandboxes.create()
    imported = sandbox.archive.upload(source, path="/data", timeout=300)
    assert imported.files == 2
    assert sandbox.fs.stat("/data/big.bin").size == 50 * 1024 * 1024
    out = tmp_path / "out"
    sandbox.archive.download(out, path="/data", extract_to_directory=True, timeout=300)
    assert (out / "big.bin").read_bytes() == big.read_bytes()
    tar_path = tmp_path / "data.tar"
    sandbox.archive.download(tar_path, path="/data", timeout=300)
    again = cairn.sandboxes.create()
    assert again.archive.upload(tar_path, timeout=300).files == 2
    assert b"".join(again.fs.iter_bytes("/big.bin", start=0, end=9)) == big.read_bytes()[:10]
    sandbox.delete()
    again.delete()


def test_authentication_error(server: Server) -> None:
    client = Cairn(base_url=server.url, api_key="wrong-key-0123456789")
    with client, pytest.raises(sdk.AuthenticationError) as caught:
        client.sandboxes.create()
    assert caught.value.status == 401 and not caught.value.retryable


def test_admin_tenants_and_keys(server: Server) -> None:
    if server.admin_key is None:
        pytest.skip("--memory has no stored keys, so no admin key (runs on Postgres)")
    with Cairn(base_url=server.url, api_key=server.admin_key) as admin:
        tenant = admin.tenants.create(id="py-acme", name="Acme")
        assert admin.tenants.get("py-acme").name == "Acme"
        assert "py-acme" in [t.id for t in admin.tenants.list()]
        key = admin.tenants.create_key(tenant.id, name="agent")
        assert key.key.startswith("cairn_key_")
        assert admin.keys.get(key.id).name == "agent"
        assert [k.id for k in admin.tenants.list_keys(tenant.id)] == [key.id]
        with Cairn(base_url=server.url, api_key=key.key) as tenant_client:
            tenant_client.sandboxes.create().delete()
            assert tenant_client.limits().sandbox_max_files != 7
            limited = admin.tenants.set_limits(tenant.id, {"sandbox_max_files": 7})
            assert limited.limits.sandbox_max_files == 7
            assert admin.tenants.get(tenant.id).limits.sandbox_max_files == 7
            admin.tenants.set_limits(tenant.id, {})
            assert admin.tenants.get(tenant.id).limits.sandbox_max_files is None
        assert admin.keys.revoke(key.id).revoked_at is not None
        with pytest.raises(sdk.PermissionDeniedError):
            admin.sandboxes.create()
        admin.tenants.delete(tenant.id)
        with pytest.raises(sdk.NotFoundError):
            admin.tenants.get(tenant.id)


@pytest.mark.anyio
async def test_async_admin(server: Server) -> None:
    if server.admin_key is None:
        pytest.skip("--memory has no stored keys, so no admin key (runs on Postgres)")
    async with AsyncCairn(base_url=server.url, api_key=server.admin_key) as admin:
        tenant = await admin.tenants.create(limits=TenantLimits(rate_limit_per_second=50))
        assert tenant.limits.rate_limit_per_second == 50
        assert (await admin.tenants.get(tenant.id)).id == tenant.id
        assert tenant.id in [t.id async for t in admin.tenants.list()]
        key = await admin.tenants.create_key(tenant.id, read_only=True)
        assert (await admin.keys.get(key.id)).id == key.id
        assert [k.id async for k in admin.tenants.list_keys(tenant.id)] == [key.id]
        await admin.keys.revoke(key.id)
        await admin.tenants.delete(tenant.id)


def test_breaking_out_of_a_stream_stops_the_script(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create()
    # Run to its end, this takes about 1.5 s; the test waits 4 s.
    script = "echo start; for i in $(seq 1 100); do sleep 0.01; done; echo done > /finished"
    for event in sandbox.exec_stream(script):
        assert event.type == "stdout"
        break
    import time

    time.sleep(4)
    with pytest.raises(sdk.NotFoundError):
        sandbox.fs.stat("/finished")  # aborted by the disconnect: nothing committed


@pytest.mark.anyio
async def test_archive_from_a_file_object_and_gzip_bytes(acairn: AsyncCairn) -> None:
    def tar_of(files: dict[str, bytes], mode: str) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    sandbox = await acairn.sandboxes.create()
    gz = tar_of({"a.txt": b"gzipped"}, "w:gz")
    assert (await sandbox.archive.upload(gz, path="/gz")).files == 1  # gzip sniffed
    await sandbox.archive.upload(io.BytesIO(tar_of({"b.txt": b"plain"}, "w")), path="/fo")
    assert await sandbox.fs.read_text("/gz/a.txt") == "gzipped"
    assert await sandbox.fs.read_text("/fo/b.txt") == "plain"
    await sandbox.delete()
