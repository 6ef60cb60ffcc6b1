"""sandbox.history.watch(): commits as they land, each once, across dropped connections (a proxy
cuts them mid-stream), with a path filter, ending when the sandbox is deleted; sync and async,
against the reference server (memory, then Postgres)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import anyio
import pytest

from cairn import AsyncCairn, Cairn, CommitWatch
from cairn.types import Commit

from .conftest import BACKENDS
from .proxy import CuttingProxy
from .servers import Server, drop_database, start_server

# A watch that gets nothing is closed after this long, so a missed commit fails the test
# (iteration ends early) instead of hanging it; it is no bound on speed.
GIVE_UP = 90.0


def watchdog(watch: CommitWatch) -> threading.Timer:
    timer = threading.Timer(GIVE_UP, watch.close)
    timer.daemon = True
    timer.start()
    return timer


def take(commits: Iterator[Commit], n: int) -> list[Commit]:
    return [commit for _, commit in zip(range(n), commits)]


def test_a_cut_connection_is_resumed_without_missing_or_repeating(
    cairn: Cairn, server: Server
) -> None:
    sandbox = cairn.sandboxes.create()
    start = sandbox.version
    with (
        CuttingProxy(server.url) as proxy,
        Cairn(base_url=proxy.url, api_key=server.api_key) as through,
    ):
        watch = through.sandboxes.attach(sandbox.id).history.watch(
            after=start, reconnect_delay=0.05
        )
        timer = watchdog(watch)
        with watch:
            commits = iter(watch)
            sandbox.fs.write("/1.txt", "1")
            seen = take(commits, 1)
            sandbox.fs.write("/2.txt", "2")  # may be on its way when the connection drops
            proxy.cut()
            # These land while no stream is open: the reopened one must replay them.
            sandbox.fs.write("/3.txt", "3")
            sandbox.exec("echo 4 > /4.txt; echo 5 > /5.txt")
            seen += take(commits, 3)
            proxy.cut()
            sandbox.fs.delete("/1.txt")
            seen += take(commits, 1)
        timer.cancel()
    assert [c.version for c in seen] == list(range(start + 1, start + 6))
    assert [[ch.path for ch in c.changes] for c in seen] == [
        ["/1.txt"],
        ["/2.txt"],
        ["/3.txt"],
        ["/4.txt", "/5.txt"],
        ["/1.txt"],
    ]
    assert watch.connections >= 3 and proxy.connections >= 3
    assert watch.last_version == start + 5


def test_a_path_filter_and_the_end_when_the_sandbox_is_deleted(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create()
    watch = sandbox.history.watch(path="/src", after=sandbox.version)
    timer = watchdog(watch)
    with watch:
        commits = iter(watch)
        sandbox.fs.write("/other.txt", "no")
        sandbox.fs.write("/srcx/a.txt", "no: /srcx is not under /src")
        sandbox.fs.write("/src/a.py", "yes")
        sandbox.fs.move("/other.txt", "/src/b.txt")
        first, moved = take(commits, 2)
        sandbox.delete()
        rest = list(commits)  # ends with the `deleted` event
    timer.cancel()
    assert [c.path for c in first.changes] == ["/src", "/src/a.py"]  # the write made /src
    assert [(c.path, c.from_) for c in moved.changes] == [("/src/b.txt", "/other.txt")]
    assert moved.version == first.version + 1 == sandbox.version + 4
    assert rest == []
    with pytest.raises(ValueError):
        sandbox.history.watch(path="relative")


def test_a_watch_is_read_once_and_a_missing_sandbox_has_no_commits(cairn: Cairn) -> None:
    sandbox = cairn.sandboxes.create()
    sandbox.delete()
    with sandbox.history.watch() as watch:
        assert list(watch) == []
        with pytest.raises(Exception, match="only once"):
            iter(watch)


@pytest.mark.anyio
async def test_async_watch_from_now_resumes_after_a_cut(server: Server) -> None:
    async with AsyncCairn(base_url=server.url, api_key=server.api_key) as direct:
        sandbox = await direct.sandboxes.create()
        with CuttingProxy(server.url) as proxy:
            async with AsyncCairn(base_url=proxy.url, api_key=server.api_key) as through:
                watched = through.sandboxes.attach(sandbox.id)
                seen: list[Commit] = []
                with anyio.fail_after(GIVE_UP):
                    async with watched.history.watch(reconnect_delay=0.05) as watch:
                        commits = watch.__aiter__()
                        # From now: the first read learns the current version, then listens.
                        first = anyio.create_task_group()
                        async with first:

                            async def read_one() -> None:
                                seen.append(await commits.__anext__())

                            first.start_soon(read_one)
                            while watch.connections == 0:
                                await anyio.sleep(0.01)
                            await sandbox.fs.write("/1.txt", "1")
                        proxy.cut()
                        await sandbox.fs.write("/2.txt", "2")
                        await sandbox.fs.write("/3.txt", "3")
                        seen += [await commits.__anext__(), await commits.__anext__()]
                    assert watch.connections >= 2
    versions = [c.version for c in seen]
    assert versions == [sandbox.version + 1, sandbox.version + 2, sandbox.version + 3]
    assert [c.changes[0].path for c in seen] == ["/1.txt", "/2.txt", "/3.txt"]


def test_a_watch_outlives_a_server_restart() -> None:
    """The server is stopped and started again (a deploy) on the same Postgres database: the
    watch keeps trying while it is away, then resumes after its last version."""
    if "postgres" not in BACKENDS:
        pytest.skip("needs the Postgres backend (CAIRN_PY_BACKENDS): memory loses the sandbox")
    server = start_server("postgres")
    assert server.database is not None
    try:
        with Cairn(base_url=server.url, api_key=server.api_key, max_retries=0) as client:
            sandbox = client.sandboxes.create()
            watch = sandbox.history.watch(after=sandbox.version, reconnect_delay=0.1)
            timer = watchdog(watch)
            with watch:
                commits = iter(watch)
                sandbox.fs.write("/before.txt", "1")
                seen = take(commits, 1)
                server.restart()
                sandbox.fs.write("/after.txt", "2")
                seen += take(commits, 1)
            timer.cancel()
        assert [c.changes[0].path for c in seen] == ["/before.txt", "/after.txt"]
        assert [c.version for c in seen] == [sandbox.version + 1, sandbox.version + 2]
        assert watch.connections == 2
    finally:
        server.stop()
        drop_database(server.database)


def test_a_silent_connection_is_reopened_after_the_timeout(cairn: Cairn, server: Server) -> None:
    """The connection stays open but nothing comes through (no keep-alives either): after
    `timeout` seconds of silence the watch reopens it and replays what it missed."""
    sandbox = cairn.sandboxes.create()
    with (
        CuttingProxy(server.url) as proxy,
        Cairn(base_url=proxy.url, api_key=server.api_key) as through,
    ):
        watch = through.sandboxes.attach(sandbox.id).history.watch(
            after=sandbox.version, reconnect_delay=0.05, timeout=2
        )
        timer = watchdog(watch)
        with watch:
            commits = iter(watch)
            sandbox.fs.write("/1.txt", "1")
            seen = take(commits, 1)
            proxy.silence()
            sandbox.fs.write("/2.txt", "2")  # sent into the silent connection: lost there
            seen += take(commits, 1)
        timer.cancel()
    assert [c.changes[0].path for c in seen] == ["/1.txt", "/2.txt"]
    assert watch.connections == 2
