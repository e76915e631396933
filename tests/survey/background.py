"""Real services for the background mail tests and bench: an SMTP server that records what it
accepts (aiosmtpd, in a thread) and a Celery worker started as a subprocess.

Used by tests/survey/test_worker_sending.py and bench/mail.py. Nothing here is mocked: the
worker reads the same database as the caller, takes its tasks from Redis and hands each
email to the SMTP server over a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent.parent
LINK_RE = re.compile(r"https?://\S+?(/s/[A-Za-z0-9_-]+/)")
# Redis database of the mail tests and bench (the other helpers of issue 16 use 11, 13, 14).
REDIS_URL = os.environ.get("MAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_problem(url: str = REDIS_URL) -> str:
    """Why Redis at ``url`` cannot be used, or "" when it answers."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {url} does not answer ({exc})"
    return ""


@dataclass(frozen=True)
class Received:
    """One email the SMTP server accepted: recipients, the whole message, when (monotonic)."""

    to: tuple[str, ...]
    content: str
    at: float

    @property
    def link(self) -> str:
        """The path of the invitation link in the message, e.g. ``/s/<token>/``."""
        match = LINK_RE.search(self.content.replace("=\n", ""))
        return match.group(1) if match else ""


@dataclass
class _Handler:
    """aiosmtpd handler: records accepted messages; may refuse addresses or go slowly."""

    received: list[Received] = field(default_factory=list)
    # address -> SMTP reply given at RCPT TO, e.g. "550 5.1.1 No such user".
    refuse: dict[str, str] = field(default_factory=dict)
    # address -> how many more times RCPT TO gets the refusal before it is accepted.
    refuse_times: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            reply = self.refuse.get(address)
            if reply and address in self.refuse_times:
                self.refuse_times[address] -= 1
                if self.refuse_times[address] < 0:
                    reply = None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        content = envelope.content.decode("utf-8", errors="replace")
        with self.lock:
            self.received.append(Received(tuple(envelope.rcpt_tos), content, time.monotonic()))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on 127.0.0.1 (a free port) recording every message it accepts."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def count_by_address(self) -> Counter:
        return Counter(address for message in self.received for address in message.to)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()
            self.handler.refuse.clear()
            self.handler.refuse_times.clear()
            self.handler.delay = 0.0

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` messages were accepted; False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.05)
        return len(self.received) >= count


class CeleryWorker:
    """`celery -A config worker` as a subprocess (solo pool: one task at a time) with the
    given environment on top of this process's; its output goes to ``log``."""

    def __init__(self, *, env: dict[str, str], log: Path, name: str) -> None:
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.log = log
        self.name = name
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        """Start the worker and wait until it says it is ready; RuntimeError when it exits or
        does not get ready in ``timeout`` seconds (the end of its log is in the message)."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{self.name}@%h",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited ({self.process.returncode}): {self.tail()}")
            with self.log.open("rb") as log:
                log.seek(offset)
                if b" ready." in log.read():
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The worker did not get ready in {timeout} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, wherever it is (a crash, a power cut)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), killed after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for another process to open the database of ``settings_dict`` (the
    test database once pytest-django has set it up)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        name = str(settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("An in-memory SQLite database cannot be shared with a worker.")
        return f"sqlite:///{name}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def queue_delete(queue: str, url: str = REDIS_URL) -> None:
    """Remove a queue of ours from Redis: its messages and kombu's bindings of it."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)


def _app_reset(app: Any) -> None:
    """Forget the app's broker connection pool and queue routing, built from the old settings
    (the pools stay open: kombu keeps them by URL and hands them out again)."""
    app._pool = None
    app.__dict__.pop("amqp", None)


def app_use_broker(app: Any, *, broker_url: str, queue: str) -> dict[str, Any]:
    """Make this process's Celery app send tasks to ``broker_url`` (queue ``queue``) instead
    of running them in-process; returns the settings to give back to :func:`app_restore`."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    before = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=False, broker_url=broker_url, task_default_queue=queue)
    _app_reset(app)
    return before


def app_restore(app: Any, before: dict[str, Any]) -> None:
    app.conf.update(before)
    _app_reset(app)
