"""Prints the Python SDK's figures against a local `cairn serve --memory`: the added latency per
call over raw httpx for exec("echo hi"), `import cairn` time, and a 10k-file archive upload rate."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import start_server

N = 300


def import_time() -> float:
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t=time.perf_counter(); import cairn; print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(float(out.stdout))
    return statistics.median(runs) * 1000


def main() -> None:
    print(f"import cairn: {import_time():.1f} ms (median of 5 fresh interpreters)")
    from cairn import Cairn

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
                    t = time.perf_counter()
                    raw.post(url, json={"script": "echo hi"}, headers=headers).json()
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
                    f"archive upload: {result.files} files in {seconds:.2f} s "
                    f"({result.files / seconds:,.0f} files/s)"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
