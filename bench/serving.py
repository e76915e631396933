"""``python -m bench.serving``: the figures docs/deployment.md sizes a deployment from.

On a PostgreSQL database of its own (``friction_serving`` on 127.0.0.1:5432, dropped at the
end unless ``--keep-db``) it seeds one round of N respondents (default 20,000) with as many
invitations, then for each worker count serves the app exactly as deployed: gunicorn with
``config/gunicorn.conf.py``, Redis (DB 13) as the cache, ``CONN_MAX_AGE=60``. It measures

- a survey page under load: ``ab`` on one invitation's welcome page (read-only), then the
  whole survey walked by concurrent simulated respondents (``bench.load``), paced like people
  and at saturation;
- the dashboard of the N-respondent round as a leader: the first request of a worker (its
  imports), cold (empty cache), warm (from Redis), and Redis's memory for the cached entries;
- memory: RSS and PSS of each gunicorn process after warm-up, after the load, and after the
  dashboards (PSS shares pages between processes fairly: with ``WEB_PRELOAD`` the
  workers share the imported libraries);
- the database's size, by table.

Prints one JSON object and writes it to bench/serving.json (``--output``). Not part of
``make test``; docs/deployment.md quotes it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("BENCH_POSTGRES_NAME", "friction_serving")

from bench import databases  # reads BENCH_POSTGRES_NAME when imported
from bench.load import Respondent, Stats, _fields, _free_port, latency_table

ROOT = databases.ROOT
REDIS_URL = "redis://127.0.0.1:6379/13"
LEADER_PASSWORD = "serving-bench-leader-2026"  # noqa: S105 - a throwaway local account
RESULTS = ROOT / "bench" / "serving.json"


def serving_env(**extra: str) -> dict[str, str]:
    """The environment of the served app: the bench database, Redis as cache, JSON logs."""
    return databases.bench_env(
        "postgres",
        REDIS_URL=REDIS_URL,
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
        **extra,
    )


def prepare(*, respondents: int, slug: str) -> tuple[list[str], str]:
    """Reset the database, seed ``respondents`` answers and as many invitations into one
    round, create the leader. Returns the invitation tokens (unused) and the code of the
    round's first dimension."""
    databases.database_reset("postgres")
    os.environ.update(serving_env())
    import django

    django.setup()
    from bench.seed import main as seed_main
    from reports.accounts import leader_ensure
    from survey.models import SurveyRound
    from survey.services.invitations import invitations_issue

    with contextlib.redirect_stdout(sys.stderr):
        seed_main([str(respondents), "--slug", slug])
    survey_round = SurveyRound.objects.get(slug=slug)
    tokens: list[str] = []
    while len(tokens) < respondents:
        tokens += invitations_issue(
            round=survey_round, count=min(10_000, respondents - len(tokens))
        )
    leader_ensure(password=LEADER_PASSWORD)
    dimensions = survey_round.instrument.dimensions.exclude(code="overall").order_by("order")
    dimension = dimensions.first()
    return tokens, dimension.code


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"Rss", "Pss"}:
            fields[name.lower()] = int(rest.split()[0])
    return fields


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU seconds of ``pid`` (and, with ``reaped``, of its children that
    ended and were waited for: gunicorn's master reaps workers restarted by max_requests)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    # After the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def gunicorn_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn: master, live workers, and workers already gone."""
    return _cpu_seconds(master, reaped=True) + sum(_cpu_seconds(pid) for pid in _children(master))


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the bench database (not this one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid: _cpu_seconds(pid) for (pid,) in cursor.fetchall()}


@contextlib.contextmanager
def cpu_used(master: int) -> Iterator[dict[str, float]]:
    """Yields a dict filled on exit with the CPU seconds gunicorn and the database's
    backends used meanwhile (a backend that ended meanwhile is not counted)."""
    used: dict[str, float] = {}
    web, database = gunicorn_cpu(master), postgres_cpu()
    yield used
    used["gunicorn_cpu_seconds"] = round(gunicorn_cpu(master) - web, 2)
    after = postgres_cpu()
    used["postgres_cpu_seconds"] = round(
        sum(seconds - database.get(pid, 0.0) for pid, seconds in after.items()), 2
    )


def memory(master: int) -> dict[str, Any]:
    """RSS and PSS in MB of the gunicorn master and of each worker, with the workers' mean."""
    workers = [_memory_kb(pid) for pid in _children(master)]
    mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
    return {
        "master": {key: mb(value) for key, value in _memory_kb(master).items()},
        "workers_rss_mb": [mb(w["rss"]) for w in workers],
        "workers_pss_mb": [mb(w["pss"]) for w in workers],
        "worker_rss_mean_mb": mb(sum(w["rss"] for w in workers) / len(workers)),
        "worker_pss_mean_mb": mb(sum(w["pss"] for w in workers) / len(workers)),
        "total_pss_mb": mb(sum(w["pss"] for w in workers) + _memory_kb(master)["pss"]),
    }


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
            return answer.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def served(*, workers: int, threads: int, preload: bool, log_dir: Path) -> Iterator[dict]:
    """gunicorn with config/gunicorn.conf.py on a free port; yields base URL and master pid."""
    port = _free_port()
    env = serving_env(
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
        WEB_THREADS=str(threads),
        WEB_PRELOAD="1" if preload else "0",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with (log_dir / "access.log").open("wb") as out, (log_dir / "error.log").open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn and config
            [str(gunicorn), "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not (_healthy(base) and len(_children(process.pid)) == workers):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: see {log_dir / 'error.log'}")
                time.sleep(0.3)
            yield {"base": base, "pid": process.pid}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


AB_FIELDS = {
    "requests_per_second": re.compile(r"Requests per second:\s+([\d.]+)"),
    "failed": re.compile(r"Failed requests:\s+(\d+)"),
    "non_2xx": re.compile(r"Non-2xx responses:\s+(\d+)"),
    "p50_ms": re.compile(r"^\s+50%\s+(\d+)", re.M),
    "p95_ms": re.compile(r"^\s+95%\s+(\d+)", re.M),
    "p99_ms": re.compile(r"^\s+99%\s+(\d+)", re.M),
    "max_ms": re.compile(r"^\s+100%\s+(\d+)", re.M),
}


def ab(url: str, *, requests: int, concurrency: int) -> dict[str, Any]:
    """``ab -n requests -c concurrency url`` (apache2-utils), its figures parsed."""
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("ab") or "ab", "-q", "-n", str(requests), "-c", str(concurrency), url],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {name: pattern.search(done.stdout) for name, pattern in AB_FIELDS.items()}
    result = {name: float(m.group(1)) if m else 0 for name, m in found.items()}
    return {"requests": requests, "concurrency": concurrency, **result}


def _leader_opener(base: str) -> urllib.request.OpenerDirector:
    import http.cookiejar

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{base}/accounts/login/") as page:
        csrf = _fields(page.read()).csrf
    form = {"username": "leader", "password": LEADER_PASSWORD, "csrfmiddlewaretoken": csrf}
    data = urllib.parse.urlencode(form).encode()
    login = urllib.request.Request(f"{base}/accounts/login/", data=data)  # noqa: S310
    with opener.open(login) as answer:
        if "/accounts/login/" in answer.url:
            raise RuntimeError("the leader could not log in")
    return opener


def _timed_get(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with opener.open(url, timeout=120) as answer:
        size = len(answer.read())
    return round(time.perf_counter() - started, 3), size


def dashboards(*, base: str, slug: str, dimension: str, master: int) -> dict[str, Any]:
    """The dashboard of ``slug`` as a leader: a cold build (empty cache), then five warm
    requests (from Redis), then a dimension page (cold); the seconds and the CPU seconds of
    each, and Redis's memory taken by the cached results."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    used_before = client.info("memory")["used_memory"]
    opener = _leader_opener(base)
    url = f"{base}/reports/{slug}/"
    with cpu_used(master) as cold_cpu:
        cold, size = _timed_get(opener, url)
    with cpu_used(master) as warm_cpu:
        warm = [_timed_get(opener, url)[0] for _ in range(5)]
    with cpu_used(master) as dimension_cpu:
        dimension_seconds = _timed_get(opener, f"{base}/reports/{slug}/dimension/{dimension}/")[0]
    keys = client.keys("*")
    return {
        "cold_seconds": cold,
        "cold_cpu": cold_cpu,
        "warm_seconds": sorted(warm),
        "warm_cpu_per_request": {k: round(v / 5, 3) for k, v in warm_cpu.items()},
        "html_bytes": size,
        "dimension_page_seconds": dimension_seconds,
        "dimension_page_cpu": dimension_cpu,
        "redis_keys": len(keys),
        "redis_cached_bytes": sum(client.memory_usage(key) or 0 for key in keys),
        "redis_used_memory_delta_bytes": client.info("memory")["used_memory"] - used_before,
    }


def connections() -> int:
    """PostgreSQL connections open to the bench database (not counting this process's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def first_requests(*, base: str, workers: int) -> list[float]:
    """Seconds of the first home-page requests after start, two per worker at once: a
    worker loads the URL configuration and every view's imports (pandas, SciPy, Plotly) on
    its first request unless the master preloaded them."""
    opener = urllib.request.build_opener()
    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        times = pool.map(lambda _: _timed_get(opener, f"{base}/")[0], range(2 * workers))
    return sorted(times)


def load(*, base: str, tokens: list[str], concurrency: int, think: float) -> dict[str, Any]:
    """Walk ``len(tokens)`` respondents through the survey (bench.load.Respondent)."""
    stats = Stats()
    started = time.monotonic()
    deadline = started + 300
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for n, token in enumerate(tokens):
            pool.submit(Respondent(base, token, stats, deadline, seed=n, think=think).run)
    elapsed = time.monotonic() - started
    table = latency_table(stats.samples)
    return {
        "respondents": len(tokens),
        "concurrency": concurrency,
        "think_seconds": think,
        "completed": stats.completed,
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "requests": len(stats.samples),
        "requests_per_second": round(len(stats.samples) / elapsed, 1),
        "survey_pages": table.get("survey_pages"),
        "submit": table.get("submit"),
    }


def database_size(slug: str) -> dict[str, Any]:
    """The database's size and its largest tables (with indexes), in MB."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 5"
        )
        tables = {name: round(size / 2**20, 1) for name, size in cursor.fetchall()}
    from survey.models import Answer, Invitation, Response

    return {
        "database_mb": round(total / 2**20, 1),
        "largest_tables_mb": tables,
        "responses": Response.objects.filter(round__slug=slug).count(),
        "answers": Answer.objects.filter(response__round__slug=slug).count(),
        "invitations": Invitation.objects.filter(round__slug=slug).count(),
    }


def _per_request(cpu: dict[str, float], requests: int) -> dict[str, float]:
    """CPU seconds used, and CPU milliseconds per request, of gunicorn and PostgreSQL."""
    return cpu | {
        "gunicorn_cpu_ms_per_request": round(cpu["gunicorn_cpu_seconds"] * 1000 / requests, 2),
        "postgres_cpu_ms_per_request": round(cpu["postgres_cpu_seconds"] * 1000 / requests, 2),
    }


def run_configuration(
    *,
    workers: int,
    threads: int,
    preload: bool,
    round_: tuple[str, str],
    tokens: list[str],
    args: Any,
) -> dict[str, Any]:
    """Every serving figure for one gunicorn configuration; ``round_``: (slug, dimension)."""
    slug, dimension = round_
    log_dir = databases.DATA_DIR / f"serving-{workers}w{'-preload' if preload else ''}"
    log_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"workers": workers, "threads": threads, "preload": preload}
    result["loadavg_1m_before"] = round(os.getloadavg()[0], 2)
    with served(workers=workers, threads=threads, preload=preload, log_dir=log_dir) as server:
        base = server["base"]
        result["memory_at_start"] = memory(server["pid"])
        result["first_request_seconds"] = first_requests(base=base, workers=workers)
        welcome = f"{base}/s/{tokens.pop()}/"
        ab(welcome, requests=200, concurrency=10)  # every worker warm
        result["memory_warm"] = memory(server["pid"])
        with cpu_used(server["pid"]) as cpu:
            result["ab_welcome"] = ab(welcome, requests=args.ab_requests, concurrency=20)
        result["ab_welcome"] |= _per_request(cpu, args.ab_requests)
        for think in (1.0, 0.0):
            batch = [tokens.pop() for _ in range(args.load_respondents)]
            with cpu_used(server["pid"]) as cpu:
                run = load(base=base, tokens=batch, concurrency=args.concurrency, think=think)
            result[f"load_think_{think:g}"] = run | _per_request(cpu, run["requests"])
        result["memory_after_load"] = memory(server["pid"])
        result["postgres_connections_after_load"] = connections()
        result["dashboard"] = dashboards(
            base=base, slug=slug, dimension=dimension, master=server["pid"]
        )
        result["memory_after_dashboard"] = memory(server["pid"])
    access = (log_dir / "access.log").read_text().splitlines()
    result["access_log_lines"] = len(access)
    result["access_log_all_json"] = all(line.startswith("{") for line in access)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=20_000)
    parser.add_argument(
        "--configurations",
        default="5:no,2:yes,5:yes",
        help="comma-separated WORKERS:PRELOAD (yes|no) gunicorn configurations",
    )
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ab-requests", type=int, default=2000)
    parser.add_argument("--load-respondents", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    from bench.run import machine

    slug = "serving"
    started = time.monotonic()
    tokens, dimension = prepare(respondents=args.respondents, slug=slug)
    results: dict[str, Any] = {"machine": machine(), "respondents": args.respondents}
    results["database_seeded"] = database_size(slug)
    results["configurations"] = []
    for item in args.configurations.split(","):
        workers, _, preload = item.partition(":")
        configuration = run_configuration(
            workers=int(workers),
            threads=args.threads,
            preload=preload.strip() == "yes",
            round_=(slug, dimension),
            tokens=tokens,
            args=args,
        )
        results["configurations"].append(configuration)
        print(json.dumps(configuration), file=sys.stderr, flush=True)
    results["database_after"] = database_size(slug)
    results["seconds"] = round(time.monotonic() - started, 1)
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        databases.database_drop("postgres")
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
