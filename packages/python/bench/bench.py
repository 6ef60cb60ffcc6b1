"""Prints the Python SDK's figures against a local `cairn serve --memory`: the added latency per
call over raw httpx for exec("echo hi"), `import cairn` time, a 10k-file archive upload rate, and
how soon history.watch() yields a commit after the write that made it."""

from __future__ import annotations

import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cairn._tar import tar_directory
from tests.servers import REPO, start_server

if TYPE_CHECKING:
    from cairn import Cairn

N = 300


def _fresh(code: str) -> float:
    """Milliseconds `code` takes in a fresh interpreter: the least of 7 runs."""
    runs = []
    for _ in range(7):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(float(out.stdout))
    return min(runs) * 1000


def client_overhead() -> float:
    """Microseconds the SDK adds to an exec() over raw httpx, both on an in-process transport
    returning the same answer (no server, no network: only the client's own work)."""
    from cairn import Cairn

    body = json.dumps(
        {
            "exitCode": 0,
            "stdout": "hi\n",
            "stderr": "",
            "durationMs": 1,
            "truncated": {"stdout": False, "stderr": False},
            "commit": {"status": "unchanged", "version": 1},
        }
    ).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    raw = httpx.Client(transport=httpx.MockTransport(answer))
    http = httpx.Client(transport=httpx.MockTransport(answer))
    sandbox = Cairn(base_url="http://x", api_key="k" * 20, http_client=http).sandboxes.attach("s")
    url = "http://x/v1/sandboxes/s/exec"
    headers = {"Authorization": "Bearer x"}
    for _ in range(300):
        sandbox.exec("echo hi")
        raw.post(url, json={"script": "echo hi"}, headers=headers).json()
    raw_runs, sdk_runs = [], []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(1000):
            raw.post(url, json={"script": "echo hi"}, headers=headers).json()
        raw_runs.append((time.perf_counter() - t) / 1000)
        t = time.perf_counter()
        for _ in range(1000):
            sandbox.exec("echo hi")
        sdk_runs.append((time.perf_counter() - t) / 1000)
    return (min(sdk_runs) - min(raw_runs)) * 1e6


def ts_upload_rate(url: str, api_key: str, tar: Path) -> float:
    """Files per second for @cairn/client uploading the same tar (streamed from disk)."""
    client = REPO / "packages" / "client" / "dist" / "index.js"
    script = f"""
import {{ Cairn }} from {json.dumps(client.as_uri())};
import {{ openAsBlob }} from "node:fs";
const options = {{ baseUrl: {json.dumps(url)}, apiKey: {json.dumps(api_key)}, timeoutMs: 6e5 }};
const cairn = new Cairn(options);
const sandbox = await cairn.sandboxes.create();
const t = performance.now();
const result = await sandbox.archive.import(await openAsBlob({json.dumps(str(tar))}));
console.log(result.files / ((performance.now() - t) / 1000));
"""
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def watch_latency(client: Cairn, n: int = 100) -> list[float]:
    """Milliseconds from sending each write to its commit coming out of a watch, one write at a
    time (so none waits behind another)."""
    sandbox = client.sandboxes.create()
    arrived: queue.Queue[tuple[int, float]] = queue.Queue()
    watch = sandbox.history.watch(after=sandbox.version)

    def consume() -> None:
        for commit in watch:
            arrived.put((commit.version, time.perf_counter()))

    threading.Thread(target=consume, daemon=True).start()
    times = []
    for i in range(n):
        sent = time.perf_counter()
        version = sandbox.fs.write(f"/w{i}.txt", "x").version
        got, at = arrived.get(timeout=30)
        assert got == version, (got, version)
        times.append((at - sent) * 1000)
    watch.close()
    return times


def main() -> None:
    base = _fresh("import httpx; from pydantic import BaseModel")
    bare = _fresh("import cairn")
    used = _fresh("import cairn; cairn.Cairn; cairn.types.ExecResult")
    print(
        f"import cairn: {bare:.0f} ms; with the sync client and models loaded: {used:.0f} ms "
        f"(httpx + pydantic BaseModel alone: {base:.0f} ms; least of 7 fresh interpreters)"
    )
    from cairn import Cairn

    print(f"client-side cost per exec() over raw httpx, no network: {client_overhead():.0f} us")
    server = start_server("memory")
    try:
        with Cairn(base_url=server.url, api_key=server.api_key) as client:
            sandbox = client.sandboxes.create()
            url = f"{server.url}/v1/sandboxes/{sandbox.id}/exec"
            headers = {"Authorization": f"Bearer {server.api_key}"}
            with httpx.Client() as raw:
                for _ in range(50):  # warm both paths
                    raw.post(url, json={"script": "echo hi"}, headers=headers).raise_for_status()
                    sandbox.exec("echo hi")
                raw_times, sdk_times = [], []
                for _ in range(N):  # interleaved, so drift hits both alike
                    # The same request the SDK sends, Idempotency-Key included (the server
                    # records it for replays, so leaving it out would flatter raw httpx).
                    keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
                    t = time.perf_counter()
                    raw.post(url, json={"script": "echo hi"}, headers=keyed).json()
                    raw_times.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    sandbox.exec("echo hi")
                    sdk_times.append(time.perf_counter() - t)
            raw_p50 = statistics.median(raw_times) * 1000
            sdk_p50 = statistics.median(sdk_times) * 1000
            print(
                f'exec("echo hi") p50: raw httpx {raw_p50:.2f} ms, cairn {sdk_p50:.2f} ms, '
                f"added {sdk_p50 - raw_p50:.2f} ms per call ({N} calls each)"
            )
            latencies = watch_latency(client)
            print(
                f"history.watch(): a commit out of the watch {statistics.median(latencies):.1f} ms "
                f"(p50; max {max(latencies):.1f} ms) after its write was sent "
                f"({len(latencies)} writes, one at a time)"
            )
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                for i in range(10_000):
                    d = root / f"d{i // 100}"
                    d.mkdir(exist_ok=True)
                    (d / f"f{i}.txt").write_text(f"file {i}\n" * 10)
                target = client.sandboxes.create()
                t = time.perf_counter()
                result = target.archive.upload(root, timeout=600)
                seconds = time.perf_counter() - t
                print(
                    f"archive upload of a directory (tarred while sent): {result.files} files "
                    f"in {seconds:.2f} s ({result.files / seconds:,.0f} files/s)"
                )
                tar = Path(tmp) / "files.tar"
                with open(tar, "wb") as out:
                    for chunk in tar_directory(root):
                        out.write(chunk)
                py_rates, ts_rates = [], []
                for _ in range(3):
                    sandbox_for_tar = client.sandboxes.create()
                    t = time.perf_counter()
                    files = sandbox_for_tar.archive.upload(tar, timeout=600).files
                    py_rates.append(files / (time.perf_counter() - t))
                    ts_rates.append(ts_upload_rate(server.url, server.api_key, tar))
                py, ts = statistics.median(py_rates), statistics.median(ts_rates)
                print(
                    f"archive upload of the same .tar ({tar.stat().st_size / 1e6:.1f} MB, median "
                    f"of 3): cairn-sdk {py:,.0f} files/s, @cairn/client {ts:,.0f} files/s "
                    f"({py / ts:.0%} of TypeScript)"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
