"""Real PostgreSQL and Redis for the tests, and service processes that use them.

`scripts/test` starts both (scripts/services.sh) and exports MEDPOLICY_TEST_DATABASE_URL and
MEDPOLICY_TEST_REDIS_URL. A targeted pytest run without them starts its own pair with the same
script when the Debian packages are installed, and skips the tests that need them otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Backing:
    database_url: str
    redis_url: str


def have_binaries() -> bool:
    return bool(shutil.which("redis-server")) and any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


@contextmanager
def backing_services() -> Iterator[Backing | None]:
    db, rd = os.environ.get("MEDPOLICY_TEST_DATABASE_URL"), os.environ.get("MEDPOLICY_TEST_REDIS_URL")
    if db and rd:
        yield Backing(db, rd)
        return
    if not have_binaries():
        yield None
        return
    work = Path(tempfile.mkdtemp(prefix="medpolicy-services-"))
    work.chmod(0o755)  # PostgreSQL runs as its own user when the tests run as root
    out = subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "start", str(work / "s")],
                         capture_output=True, text=True, check=True).stdout
    env = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if line.startswith("export "))
    try:
        yield Backing(env["MEDPOLICY_TEST_DATABASE_URL"], env["MEDPOLICY_TEST_REDIS_URL"])
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "stop", str(work / "s")], check=False)
        shutil.rmtree(work, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """A new empty database on the test server (one per test), returned as a URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Worker:
    """A service process (`uvicorn worker_app:create --factory`) on its own port."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests' / 'api'}"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "worker_app:create", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers), "--log-level", "warning"],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("worker did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
