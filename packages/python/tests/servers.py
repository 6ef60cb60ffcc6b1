"""Test support: the built reference server (`cairn serve`) on a free port, on memory or on a
fresh Postgres database, and an admin key for the admin API where the backend has stored keys."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse, urlunparse

import httpx

REPO = Path(__file__).resolve().parents[3]
CLI = REPO / "apps" / "cairn" / "dist" / "cli.js"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass
class Server:
    backend: str
    url: str
    api_key: str
    admin_key: Optional[str]
    process: subprocess.Popen[bytes]
    database: Optional[str] = None
    log: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def restart(self) -> None:
        """Stops the server and starts it again on the same port and storage (a deploy)."""
        self.stop()
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        _wait_until_up(self)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql(admin_url: str, sql: str) -> None:
    # Through postgres.js (scripts/sql.mjs), not psql: a machine with only Node has no psql.
    script = Path(__file__).resolve().parent.parent / "scripts" / "sql.mjs"
    subprocess.run(["node", str(script), admin_url, sql], check=True)


def create_database() -> tuple[str, str]:
    """A fresh database on CAIRN_TEST_DATABASE_URL's server: (its URL, its name)."""
    admin_url = os.environ.get("CAIRN_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = f"cairn_py_{secrets.token_hex(6)}"
    _psql(admin_url, f"CREATE DATABASE {name}")
    return urlunparse(urlparse(admin_url)._replace(path=f"/{name}")), name


def run_sql(database: str, sql: str) -> None:
    """Runs one statement in a test server's own database."""
    admin_url = os.environ.get("CAIRN_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    _psql(urlunparse(urlparse(admin_url)._replace(path=f"/{database}")), sql)


def drop_database(name: str) -> None:
    admin_url = os.environ.get("CAIRN_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    _psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_server(backend: str) -> Server:
    if not CLI.exists():
        raise RuntimeError(f"{CLI} is missing: run `pnpm turbo run build --filter cairn...`")
    port = free_port()
    api_key = f"py-test-{secrets.token_hex(12)}"
    env = {**os.environ}
    env.pop("CAIRN_API_KEY", None)
    args = ["node", str(CLI), "serve", "--port", str(port), "--api-key", api_key]
    database = None
    if backend == "memory":
        args.append("--memory")
    else:
        url, database = create_database()
        env["DATABASE_URL"] = url
        args += ["--database-url", url]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Server(backend, f"http://127.0.0.1:{port}", api_key, None, process, database)
    server.command, server.env = args, env
    _wait_until_up(server)
    if database is not None:
        # The first admin key is made as an operator does: `cairn token create --admin`.
        made = subprocess.run(
            ["node", str(CLI), "token", "create", "--admin", "--name", "py-tests"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        server.admin_key = next(w for w in made.stdout.split() if w.startswith("cairn_key_"))
    return server


def _wait_until_up(server: Server) -> None:
    deadline = time.time() + 60
    while True:
        if server.process.poll() is not None:
            stdout = server.process.stdout
            raise RuntimeError(f"cairn serve exited: {stdout.read().decode() if stdout else ''}")
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            server.stop()
            raise RuntimeError("cairn serve did not start within 60 s")
        time.sleep(0.1)
