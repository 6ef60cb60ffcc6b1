"""sandbox.history (commit log, snapshots, restore, diff), forks and the `changes` of writes,
sync and async, against the reference server (memory, then Postgres)."""

from __future__ import annotations

import io
import tarfile

import pytest

import cairn as sdk
from cairn import AsyncCairn, Cairn

PATCH = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n"


def tar_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_changes_commit_log_snapshots_restore_diff_and_forks(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create(files={"/a.txt": "one\n"})
    history = sandbox.history
    start = sandbox.version
    before = history.snapshot(name="before", if_version=start)
    assert (before.name, before.version, before.sandbox_id) == ("before", start, sandbox.id)
    assert before.files >= 1 and before.bytes == 4  # files: with the machine's directories
    with pytest.raises(sdk.PreconditionFailedError):
        history.snapshot(if_version=start + 1)

    # Every write's answer says which paths its commit changed, as the commit log does.
    ran = sandbox.exec("echo two > /a.txt; echo new > /b.txt")
    assert ran.commit.status == "committed" and ran.commit.changes is not None
    assert [(c.path, c.kind, c.type) for c in ran.commit.changes] == [
        ("/a.txt", "modified", "file"),
        ("/b.txt", "created", "file"),
    ]
    batch = sandbox.exec_batch(["mv /b.txt /c.txt"])
    assert batch.commit.changes is not None
    assert [(c.path, c.kind, c.from_) for c in batch.commit.changes] == [
        ("/c.txt", "moved", "/b.txt")
    ]
    patched = sandbox.fs.patch(PATCH)
    assert patched.changes is not None and [c.path for c in patched.changes] == ["/a.txt"]
    unpacked = sandbox.archive.upload(tar_of({"t.txt": b"tar"}), path="/t")
    assert unpacked.changes is not None
    assert ("/t/t.txt", "created") in [(c.path, c.kind) for c in unpacked.changes]
    assert sandbox.exec("true").commit.changes is None  # nothing committed, nothing listed

    # The log, newest first, across pages of one; each commit also by its version.
    now = sandbox.refresh().version
    assert now == unpacked.version
    log = list(history.commits(limit=1))
    assert [c.version for c in log] == list(range(now, 0, -1))
    assert log[0].changes == unpacked.changes and log[0].change_count == len(unpacked.changes)
    assert history.commit(ran.commit.version) == next(c for c in log if c.version == 2)
    assert history.commit(ran.commit.version).origin.operation == "execScript"
    assert history.commits().first_page().items[0].version == now
    with pytest.raises(sdk.NotFoundError) as gone:
        history.commit(now + 100)
    assert gone.value.code == "commit_not_found"

    # Diff by snapshot or by version, to now or to a given side.
    diff = history.diff(before)
    assert diff.from_.snapshot_id == before.id and diff.to.version == now
    assert sorted(c.path for c in diff.changes) == ["/a.txt", "/c.txt", "/t", "/t/t.txt"]
    a_diff = next(f for f in diff.files if f.path == "/a.txt")
    assert a_diff.diff is not None and "-one\n+three\n" in a_diff.diff
    assert history.diff(start, now).changes == diff.changes
    assert history.diff(before.id, str(now)).to.version == now
    # A past version the commit log still reaches, rebuilt from it.
    past = history.diff(ran.commit.version, ran.commit.version + 1)  # the batch's move
    assert [(c.path, c.kind) for c in past.changes] == [("/c.txt", "moved")]

    # Restore: not from a version it is no longer at; then back to the snapshot's files.
    with pytest.raises(sdk.PreconditionFailedError):
        history.restore(before, if_version=start)
    restored = history.restore(before.id, if_version=now)
    assert restored.version == now + 1
    assert sorted((c.path, c.kind) for c in restored.changes) == [
        ("/a.txt", "modified"),
        ("/c.txt", "deleted"),
        ("/t", "deleted"),
        ("/t/t.txt", "deleted"),
    ]
    assert sandbox.fs.read_text("/a.txt") == "one\n"
    assert sandbox.fs.glob("/**/*.txt").paths == ["/a.txt"]

    # Restore to a version in the log: undo the restore by going back to the version before it.
    undone = history.restore(now, if_version=restored.version)
    assert undone.version == restored.version + 1
    assert sandbox.fs.read_text("/a.txt") == "three\n"  # as patched
    assert sandbox.fs.glob("/**/*.txt").paths == ["/a.txt", "/c.txt", "/t/t.txt"]
    assert history.commit(undone.version).origin.operation == "restoreSandbox"
    with pytest.raises(sdk.NotFoundError) as beyond:
        history.restore(undone.version + 100)
    assert beyond.value.code == "version_unavailable"
    with pytest.raises(ValueError):
        history.restore(0)
    history.restore(before)  # back to the snapshot's files for what follows

    # Forks: of a snapshot (object or id) and of a sandbox (handle or id).
    sandbox.fs.write("/later.txt", "later")
    fork = cairn.sandboxes.create(from_=before, name="fork")
    assert fork.name == "fork" and fork.fs.glob("/**/*.txt").paths == ["/a.txt"]
    assert cairn.sandboxes.create(from_=before.id).fs.read_text("/a.txt") == "one\n"
    twin = cairn.sandboxes.create(from_=sandbox)
    assert twin.fs.read_text("/later.txt") == "later"
    assert cairn.sandboxes.create(from_=sandbox.id).fs.read_text("/later.txt") == "later"
    with pytest.raises(ValueError):
        cairn.sandboxes.create(from_="not-an-id")
    with pytest.raises(sdk.NotFoundError) as no_snapshot:
        cairn.sandboxes.create(from_="snp_doesnotexist")
    assert no_snapshot.value.code == "snapshot_not_found"

    # Snapshots: listed newest first, read, deleted (the fork lives on).
    after = history.snapshot()
    assert after.name is None
    assert [s.id for s in history.snapshots(limit=1)] == [after.id, before.id]
    assert history.get_snapshot(before.id) == before
    history.delete_snapshot(before)
    with pytest.raises(sdk.NotFoundError):
        history.get_snapshot(before)
    assert [s.id for s in history.snapshots()] == [after.id]
    assert fork.fs.read_text("/a.txt") == "one\n"


@pytest.mark.anyio
async def test_async_history(acairn: AsyncCairn) -> None:
    sandbox = await acairn.sandboxes.create(files={"/a.txt": "one\n"})
    history = sandbox.history
    before = await history.snapshot(name="before")
    ran = await sandbox.exec("echo two > /a.txt")
    assert ran.commit.changes is not None and ran.commit.changes[0].path == "/a.txt"
    versions = [c.version async for c in history.commits(limit=1)]
    assert versions == [ran.commit.version, before.version]
    assert (await history.commit(before.version)).changes[0].kind == "created"
    diff = await history.diff(before.version, ran.commit.version)
    assert [c.path for c in diff.changes] == ["/a.txt"]
    restored = await history.restore(before, if_version=ran.commit.version)
    assert [c.path for c in restored.changes] == ["/a.txt"]
    assert await sandbox.fs.read_text("/a.txt") == "one\n"
    undone = await history.restore(ran.commit.version, if_version=restored.version)
    assert [c.path for c in undone.changes] == ["/a.txt"]
    assert await sandbox.fs.read_text("/a.txt") == "two\n"
    fork = await acairn.sandboxes.create(from_=before)
    assert await fork.fs.read_text("/a.txt") == "one\n"
    assert [s.id async for s in history.snapshots()] == [before.id]
    assert (await history.get_snapshot(before)).name == "before"
    await history.delete_snapshot(before.id)
    assert [s.id async for s in history.snapshots()] == []
