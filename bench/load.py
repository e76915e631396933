"""The load run: concurrent simulated respondents take the whole survey against gunicorn.

``python -m bench.load`` (DATABASE_URL set) creates a round with one invitation per
respondent, serves the app with gunicorn on 127.0.0.1 only, lets ``--concurrency`` threads
walk ``--respondents`` invitations through welcome, profile, every page, review and submit
(then a second submit, which must be refused), stops everyone at ``--timeout`` seconds, and
checks that every completed submission is stored exactly once. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCKED = "database is locked"
SURVEY_GETS = ("welcome", "profile", "page", "review", "thanks")


CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO_RE = re.compile(rb'type="radio" name="([^"]+)"')
TEXTAREA_RE = re.compile(rb'<textarea[^>]*? name="([^"]+)"')


@dataclass(frozen=True)
class _FormFields:
    """The CSRF token, radio-group names and textarea names of a page."""

    csrf: str
    radios: list[str]
    textareas: list[str]


def _fields(body: bytes) -> _FormFields:
    """Read a page's form with regular expressions (cheap: the client shares the CPUs with
    the server, so it must spend as little as it can)."""
    csrf = CSRF_RE.search(body)
    return _FormFields(
        csrf=csrf.group(1).decode() if csrf else "",
        radios=list(dict.fromkeys(name.decode() for name in RADIO_RE.findall(body))),
        textareas=[name.decode() for name in TEXTAREA_RE.findall(body)],
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Stats:
    """Every request's (kind, seconds, status), and the runs' outcomes (thread-safe)."""

    samples: list[tuple[str, float, int]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    completed: int = 0
    refused_resubmits: int = 0
    unfinished: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.samples.append((kind, seconds, status))


class _Stop(Exception):
    """The run's time is up, or a request failed: this respondent stops here."""


class Respondent:
    """One simulated person with their own cookies, taking the survey through one link."""

    def __init__(
        self, base: str, token: str, stats: Stats, deadline: float, seed: int, think: float = 0
    ) -> None:
        self.base = base
        self.think = think
        self.token = token
        self.stats = stats
        self.deadline = deadline
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(
        self, kind: str, path: str, data: dict[str, str] | None = None, expect: int = 200
    ) -> tuple[int, bytes, str]:
        """One request; returns (status, body, Location). A status other than ``expect`` is
        an error of this kind and stops the respondent."""
        if self.think:  # a person reads and answers between two requests
            time.sleep(self.random.uniform(0.5, 1.5) * self.think)
        if time.monotonic() > self.deadline:
            raise _Stop("timeout")
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)  # noqa: S310 - 127.0.0.1 only
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, content, location = response.status, response.read(), ""
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
            location = error.headers.get("Location", "")
        except (urllib.error.URLError, OSError) as error:
            self.stats.add(kind, time.perf_counter() - started, 0)
            with self.stats.lock:
                self.stats.errors[f"{kind}: {type(error).__name__}"] += 1
            raise _Stop(kind) from error
        self.stats.add(kind, time.perf_counter() - started, status)
        if status != expect:
            with self.stats.lock:
                self.stats.errors[f"{kind}: HTTP {status}"] += 1
            raise _Stop(kind)
        return status, content, location

    def run(self) -> None:
        prefix = f"/s/{self.token}"
        try:
            self.request("welcome", f"{prefix}/")
            _, body, _ = self.request("profile", f"{prefix}/profile/")
            profile = {
                "csrfmiddlewaretoken": _fields(body).csrf,
                "side": self.random.choice(["it", "it", "security", "security", "other"]),
                "function": self.random.choice(["infrastructure", "identity", "governance"]),
                "level": self.random.choice(["individual", "manager"]),
            }
            _, _, location = self.request("profile_post", f"{prefix}/profile/", profile, 302)
            while "/page/" in location:
                _, body, _ = self.request("page", location)
                form = _fields(body)
                answers = {"csrfmiddlewaretoken": form.csrf, "action": "next"}
                answers |= {name: str(self.random.randint(1, 5)) for name in form.radios}
                if form.textareas and self.random.random() < 0.2:
                    answers[form.textareas[0]] = "Hand-offs wait for a ticket; =SUM(1) stays text."
                _, _, location = self.request("page_post", location, answers, 302)
            _, body, _ = self.request("review", f"{prefix}/review/")
            csrf = {"csrfmiddlewaretoken": _fields(body).csrf}
            _, _, location = self.request("submit", f"{prefix}/submit/", csrf, 302)
            with self.stats.lock:
                self.stats.completed += 1
            self.request("thanks", location)
            # A second click on Submit must not store a second response: "already completed".
            self.request("resubmit", f"{prefix}/submit/", csrf, 410)
            with self.stats.lock:
                self.stats.refused_resubmits += 1
        except _Stop as stop:
            if str(stop) == "timeout":
                with self.stats.lock:
                    self.stats.unfinished += 1
        except Exception as error:  # a page the client cannot read counts as an error too
            with self.stats.lock:
                self.stats.errors[f"client: {type(error).__name__}: {error}"[:120]] += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def latency_table(samples: list[tuple[str, float, int]]) -> dict[str, dict[str, float]]:
    """Per request kind (and "survey_pages": every GET of a survey page): count and p50, p95,
    p99, max latency in milliseconds."""
    groups: dict[str, list[float]] = defaultdict(list)
    for kind, seconds, _status in samples:
        groups[kind].append(seconds * 1000)
        if kind in SURVEY_GETS:
            groups["survey_pages"].append(seconds * 1000)
    return {
        kind: {
            "count": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "p99_ms": round(_percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
        }
        for kind, values in sorted(groups.items())
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}.")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening in time.")


@contextlib.contextmanager
def gunicorn(*, workers: int, threads: int, log: Path):
    """Serve config.wsgi on a free port of 127.0.0.1; yields the base URL. The server's
    stderr (Django's error log) goes to ``log``."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    env = dict(os.environ, LOG_LEVEL="ERROR", CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"))
    with log.open("wb") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            command, cwd=ROOT, env=env, stdout=errors, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def round_prepare(*, slug: str, count: int) -> list[str]:
    """A new open round of the default instrument and ``count`` invitation tokens."""
    from assessment.models import Instrument
    from assessment.services import instrument_load
    from survey.services.invitations import invitations_issue
    from survey.services.rounds import round_create

    instrument = Instrument.objects.filter(slug="it-security-collaboration").first()
    instrument = instrument or instrument_load().instrument
    survey_round = round_create(
        instrument=instrument,
        name=f"Load run {slug}",
        slug=slug,
        opens_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2036, 1, 1, tzinfo=dt.UTC),
    )
    tokens: list[str] = []
    while len(tokens) < count:
        tokens += invitations_issue(round=survey_round, count=min(10_000, count - len(tokens)))
    return tokens


def round_stored(*, slug: str) -> dict[str, int]:
    """Responses stored in the round, invitations used, and answers stored."""
    from survey.models import Answer, Invitation, Response

    return {
        "responses": Response.objects.filter(round__slug=slug).count(),
        "invitations_used": Invitation.objects.filter(round__slug=slug, used=True).count(),
        "answers": Answer.objects.filter(response__round__slug=slug).count(),
    }


def load_run(
    *,
    respondents: int,
    concurrency: int,
    timeout: float,
    workers: int,
    threads: int,
    log: Path,
    think: float = 0,
    warmup: int = 20,
) -> dict[str, Any]:
    """Run the whole load test once (Django set up, DATABASE_URL chosen); see the module."""
    slug = f"load-{int(time.time())}"
    tokens = round_prepare(slug=slug, count=respondents + warmup)
    stats, warm = Stats(), Stats()
    warm_count = min(warmup, len(tokens))
    with gunicorn(workers=workers, threads=threads, log=log) as base:
        # Warm-up, not measured: every worker imports and compiles its templates on its
        # first requests; a server in service has long done so.
        with ThreadPoolExecutor(max_workers=max(warm_count, 1)) as pool:
            for n, token in enumerate(tokens[:warm_count]):
                pool.submit(Respondent(base, token, warm, time.monotonic() + 60, seed=-n).run)
        tokens = tokens[warm_count:]
        started = time.monotonic()
        deadline = started + timeout
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for n, token in enumerate(tokens):
                pool.submit(Respondent(base, token, stats, deadline, seed=n, think=think).run)
        elapsed = time.monotonic() - started
    log_text = log.read_text(encoding="utf-8", errors="replace")
    stored = round_stored(slug=slug)
    errors = sum(stats.errors.values())
    return {
        "respondents": respondents,
        "concurrency": concurrency,
        "think_seconds": think,
        "gunicorn": {"workers": workers, "threads": threads, "worker_class": "gthread"},
        "seconds": round(elapsed, 2),
        "requests": len(stats.samples),
        "requests_per_second": round(len(stats.samples) / elapsed, 1) if elapsed else None,
        "completed": stats.completed,
        "unfinished_at_timeout": stats.unfinished,
        "refused_resubmits": stats.refused_resubmits,
        "errors": errors,
        "error_kinds": dict(stats.errors),
        "database_locked": log_text.count(LOCKED),
        "server_errors_logged": log_text.count("Internal Server Error"),
        "stored": stored,
        "warmup_respondents": warm_count,
        "warmup_completed": warm.completed,
        "warmup_errors": sum(warm.errors.values()),
        "stored_exactly_once": stored["responses"]
        == stats.completed + warm.completed
        == stored["invitations_used"],
        "latency": latency_table(stats.samples),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=120, help="hard stop, seconds")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=0, help="mean pause between requests, seconds"
    )
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured respondents first")
    parser.add_argument("--log", type=Path, default=ROOT / "bench" / ".data" / "gunicorn.log")
    args = parser.parse_args(argv)
    import django

    django.setup()
    args.log.parent.mkdir(parents=True, exist_ok=True)
    result = load_run(
        respondents=args.respondents,
        concurrency=args.concurrency,
        timeout=args.timeout,
        workers=args.workers,
        threads=args.threads,
        log=args.log,
        think=args.think,
        warmup=args.warmup,
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
