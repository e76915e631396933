"""gunicorn as deployed (config/gunicorn.conf.py, docs/deployment.md): it starts on the test
database, answers /healthz and serves pages, writes every log line as JSON without a
survey token, stops on SIGTERM; with the database unreachable /healthz says 503."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.test_health import REDIS_TEST_URL, redis_required

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class Served:
    """A running gunicorn: its base URL, and after it stopped, its exit code and output."""

    base: str
    process: subprocess.Popen
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    responses: dict[str, tuple[int, dict, bytes]] = field(default_factory=dict)

    def get(self, path: str) -> tuple[int, dict, bytes]:
        """GET ``path``: (status, headers, body), for any status."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as answer:  # noqa: S310
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """The test database on PostgreSQL; on SQLite (in memory in the tests, so out of
    reach of another process) a file of its own: the pages served here need no table."""
    from django.db import connection

    if connection.vendor == "postgresql":
        db = connection.settings_dict
        user = quote(db["USER"], safe="") + (
            f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        )
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return f"postgres://{user}@{host}/{quote(db['NAME'])}"
    return f"sqlite:///{tmp_path / 'served.sqlite3'}"


@contextlib.contextmanager
def gunicorn(*, database_url: str, redis_url: str = "", preload: bool = True) -> Iterator[Served]:
    """Start ``gunicorn -c config/gunicorn.conf.py`` (one worker, two threads) as the
    deployment guide does; yield once /healthz answers; stop it with SIGTERM. Without
    ``preload`` it answers /healthz sooner (the views are imported on a page's request)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        "WEB_PRELOAD": "1" if preload else "0",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "BIND"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn and config file
        [str(GUNICORN), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(base=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                served.get("/healthz")
                break
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate()
                pytest.fail(f"gunicorn did not start:\n{err[-3000:]}")
            time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            served.stdout, served.stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            served.stdout, served.stderr = process.communicate()
        served.returncode = process.returncode


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory) -> Served:
    """One gunicorn for the module, with Redis (DB 13) as cache and broker; stopped before
    the tests read its output."""
    redis_required()
    token = secrets.token_urlsafe(32)
    with gunicorn(
        database_url=_database_url(tmp_path_factory.mktemp("served")), redis_url=REDIS_TEST_URL
    ) as server:
        for path in ("/healthz", "/", "/static/css/app.css", f"/s/{token}/no-such-page/"):
            server.responses[path] = server.get(path)
        server.responses["token"] = (0, {}, token.encode())
    return server


def test_healthz_is_200_with_every_check_up(served):
    status, headers, body = served.responses["/healthz"]
    assert status == 200
    checks = json.loads(body)["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "up",
        "cache": "up",
        "broker": "up",
    }
    assert checks["cache"]["backend"] == "RedisCache"
    assert "no-store" in headers["Cache-Control"]


def test_pages_and_static_files_are_served(served):
    status, _, body = served.responses["/"]
    assert status == 200
    assert "Open the personal link from your invitation" in body.decode()
    status, headers, _ = served.responses["/static/css/app.css"]
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")


def test_it_stops_cleanly_on_sigterm(served):
    assert served.returncode == 0, served.stderr[-2000:]
    assert "Shutting down: Master" in served.stderr


def test_every_log_line_is_json_and_no_token_is_written(served):
    token = served.responses["token"][2].decode()
    output = served.stdout + served.stderr
    assert token not in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert all({"timestamp", "level", "logger", "message"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access[0]["path"] == "/healthz"  # the probe that waited for the start
    assert [line["path"] for line in access if line["path"] != "/healthz"] == [
        "/",
        "/static/css/app.css",
        "/s/[token]/no-such-page/",
    ]
    missing = access[-1]
    assert missing["method"] == "GET"
    assert missing["status"] == 404
    assert missing["duration_ms"] >= 0
    _, headers, _ = served.responses[f"/s/{token}/no-such-page/"]
    assert missing["request_id"] == headers["X-Request-ID"]
    # Django's own line about the same request carries the same id.
    django_line = next(line for line in lines if line["logger"] == "django.request")
    assert django_line["request_id"] == headers["X-Request-ID"]
    assert django_line["path"] == "/s/[token]/no-such-page/"


def test_an_unreachable_database_is_503(tmp_path):
    # Nothing listens on port 1: PostgreSQL refuses at once.
    dead = "postgres://friction:s3cret@127.0.0.1:1/friction"
    with gunicorn(database_url=dead, preload=False) as server:
        status, _, body = server.get("/healthz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"]["status"] == "down"
    assert checks["database"]["error"] == "OperationalError"
    assert checks["cache"]["status"] == "up"
    assert checks["broker"] == {"status": "not configured"}
    for secret in ("s3cret", "127.0.0.1", "friction"):
        assert secret not in body.decode()
