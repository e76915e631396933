"""`make bench`: every measurement on every database and size, printed, saved, documented.

For each database in BENCH_DATABASES (sqlite,postgres) the bench database is created afresh,
then for each N in BENCH_SIZES (10000,100000) a round of N synthetic respondents is inserted
and measured, each measurement in its own process (``bench.measure``); then the load run
(``bench.load``) serves the app with gunicorn, and the mail run (``bench.mail``) sends
BENCH_MAIL_INVITEES (2000) invitations through a Celery worker. Results go to
bench/results.json and to the table between the markers of docs/performance.md.
BENCH_ONLY=mail runs the mail run alone and keeps the other figures of results.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.databases import ENGINES, ROOT, bench_env, database_drop, database_reset, database_url

RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
WARM_SLUG, WARM_N = "bench-warm", 50
TRACE_UP_TO = int(os.environ.get("BENCH_TRACE_UP_TO", "20000"))  # tracemalloc is slow
REPEAT_UP_TO = int(os.environ.get("BENCH_REPEAT_UP_TO", "5000"))  # sizes timed 3 times (best kept)
MEASURE_TIMEOUT = int(os.environ.get("BENCH_MEASURE_TIMEOUT", "600"))

# Targets of issue 6.
DASHBOARD_FLOOR_RATIO = 3.0
CHART_DATA_BYTES = 1_000_000
EXPORT_PEAK_MB = 200
EXPORT_ROWS_PER_SECOND = 50_000
SURVEY_P95_MS = 200
# Target of issue 16: the Send request for 2,000 invitees answers within 2 s.
SEND_REQUEST_SECONDS = 2.0


def _list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _say(text: str) -> None:
    print(text, flush=True)


def _python(module: str, *args: str, engine: str, timeout: int = MEASURE_TIMEOUT) -> dict:
    """Run ``python -m module args`` on ``engine``'s database; its last line of stdout is
    JSON. Returns it, or {"error": ...} when the process failed or timed out."""
    command = [sys.executable, "-m", module, *args]
    # Other work on the machine inflates timings: keep the load average beside each figure.
    load_before = round(os.getloadavg()[0], 2)
    try:
        done = subprocess.run(  # noqa: S603 - our own modules, fixed arguments
            command,
            cwd=ROOT,
            env=bench_env(engine),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit {done.returncode}"}
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"error": f"no result: {done.stdout[-200:]!r}"}
    result["loadavg_1m_before"] = load_before
    return result


def machine() -> dict[str, Any]:
    """The machine and software the figures were measured on."""
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import psycopg

        server = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", connect_timeout=5) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # no server: the postgres runs will say so too
        info["postgresql"] = f"unavailable ({type(error).__name__})"
    versions = {}
    for package in ("django", "pandas", "numpy", "scipy", "plotly", "gunicorn", "psycopg"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = None
    info["packages"] = versions
    return info


def bench_engine(engine: str, sizes: list[int]) -> dict[str, Any]:
    """Every measurement on one database."""
    out: dict[str, Any] = {"database_url": database_url(engine), "sizes": {}}
    started = time.monotonic()
    _say(f"\n== {engine}: fresh database ({database_url(engine)})")
    database_reset(engine)
    _python("bench.seed", str(WARM_N), "--slug", WARM_SLUG, engine=engine)
    for n in sizes:
        slug = f"bench-{n}"
        figures: dict[str, Any] = {}
        out["sizes"][str(n)] = figures
        generated = _python("bench.seed", str(n), "--slug", slug, engine=engine)
        figures["generate"] = generated
        _say(
            f"-- N={n:,}: generated {generated.get('answers', 0):,} answers in "
            f"{generated.get('seconds')} s ({generated.get('respondents_per_second')} resp/s)"
        )
        common = ["--slug", slug, "--warm-slug", WARM_SLUG]
        common += ["--repeat", "3" if n <= REPEAT_UP_TO else "1"]
        common += [] if n <= TRACE_UP_TO else ["--no-trace"]
        floor = figures["floor"] = _python("bench.measure", "floor", *common, engine=engine)
        build = figures["dashboard"] = _python("bench.measure", "dashboard", *common, engine=engine)
        if "seconds" in floor and "seconds" in build:
            figures["dashboard"]["floor_ratio"] = round(build["seconds"] / floor["seconds"], 2)
        _say(
            f"   dashboard build {build.get('seconds')} s, peak +{build.get('rss_peak_mb')} MB "
            f"RSS (traced {build.get('traced_peak_mb')} MB); floor {floor.get('seconds')} s "
            f"({floor.get('rows', 0):,} rows); ratio {build.get('floor_ratio')}; "
            f"{build.get('queries')} queries ({build.get('queries_at_50')} at N=50)"
            + (f"  ERROR {build.get('error') or floor.get('error')}" if "error" in build else "")
        )
        page = figures["page"] = _python(
            "bench.measure", "page", "--slug", slug, "--warm-slug", WARM_SLUG, engine=engine
        )
        _say(
            f"   dashboard page {page.get('seconds')} s, HTML {page.get('html_bytes', 0):,} B, "
            f"chart data {page.get('chart_data_bytes', 0):,} B"
            + (f"  ERROR {page['error']}" if "error" in page else "")
        )
        for kind in ("responses", "summary", "gaps"):
            export = _python("bench.measure", f"export:{kind}", *common, engine=engine)
            if "seconds" in export:
                export["respondents_per_second"] = round(n / export["seconds"])
            figures[f"export_{kind}"] = export
            _say(
                f"   {kind}.csv {export.get('seconds')} s, peak +{export.get('rss_peak_mb')} MB "
                f"RSS (traced {export.get('traced_peak_mb')} MB), {export.get('rows', 0):,} "
                f"rows, {export.get('rows_per_second')} rows/s, "
                f"{export.get('respondents_per_second')} respondents/s"
                + (
                    f"; from the cache {export['cached_seconds']} s"
                    if "cached_seconds" in export
                    else ""
                )
                + (f"  ERROR {export['error']}" if "error" in export else "")
            )
        cached = figures["cached"] = _python(
            "bench.measure", "cached", "--slug", slug, engine=engine
        )
        if cached.get("wired"):
            _say(f"   cached dashboard request {cached.get('seconds')} s")
        else:
            _say(f"   cached dashboard request: {cached.get('error') or 'not wired'}")
    out["load"] = {}
    for name, think in (("saturation", 0.0), ("paced", float(_list("BENCH_LOAD_THINK", "1")[0]))):
        args = [
            "--respondents",
            _list("BENCH_LOAD_RESPONDENTS", "100")[0],
            "--concurrency",
            _list("BENCH_LOAD_CONCURRENCY", "50")[0],
            "--timeout",
            _list("BENCH_LOAD_TIMEOUT", "120")[0],
            "--think",
            str(think),
            "--log",
            str(ROOT / "bench" / ".data" / f"gunicorn-{engine}-{name}.log"),
        ]
        load = out["load"][name] = _python("bench.load", *args, engine=engine, timeout=400)
        pages = load.get("latency", {}).get("survey_pages", {})
        _say(
            f"-- load ({name}, think {think} s): {load.get('requests')} requests in "
            f"{load.get('seconds')} s = {load.get('requests_per_second')} req/s; survey pages "
            f"p50/p95/p99 {pages.get('p50_ms')}/{pages.get('p95_ms')}/{pages.get('p99_ms')} ms; "
            f"errors {load.get('errors')}, locked {load.get('database_locked')}, completed "
            f"{load.get('completed')}, stored {load.get('stored', {}).get('responses')}, "
            f"exactly once {load.get('stored_exactly_once')}"
            + (f"  ERROR {load['error']}" if "error" in load else "")
        )
        for kind, row in load.get("latency", {}).items():
            _say(
                f"     {kind:<13} n={row['count']:<5} p50 {row['p50_ms']:>7} ms  "
                f"p95 {row['p95_ms']:>7} ms  p99 {row['p99_ms']:>7} ms"
            )
    out["mail"] = bench_mail(engine)
    if not os.environ.get("BENCH_KEEP_DB"):
        database_drop(engine)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def bench_mail(engine: str) -> dict[str, Any]:
    """The mail run on ``engine``'s bench database (issue 16)."""
    invitees = _list("BENCH_MAIL_INVITEES", "2000")[0]
    rate = _list("BENCH_MAIL_RATE", "0")[0]
    args = ["--invitees", invitees, "--rate", rate]
    args += ["--log", str(ROOT / "bench" / ".data" / f"worker-{engine}.log")]
    mail = _python("bench.mail", *args, engine=engine, timeout=900)
    mail["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    _say(
        f"-- mail: Send for {mail.get('invitees')} invitees answered in "
        f"{mail.get('request_seconds')} s; last email accepted after "
        f"{mail.get('last_email_seconds')} s ({mail.get('emails_per_second')} emails/s, "
        f"throttle {mail.get('rate_per_minute') or 'none'}); received {mail.get('received')}, "
        f"exactly once {mail.get('exactly_once')}, links ok {mail.get('links_ok')}/"
        f"{mail.get('links_checked')}" + (f"  ERROR {mail['error']}" if "error" in mail else "")
    )
    return mail


def bench_mail_only(engines: list[str]) -> dict[str, Any]:
    """BENCH_ONLY=mail: the mail run on a fresh database per engine, merged into the figures
    already in bench/results.json."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"databases": {}}
    # The other figures keep the machine line of their run; each mail row has its date.
    results.setdefault("machine", machine())
    for engine in engines:
        _say(f"\n== {engine}: fresh database ({database_url(engine)})")
        try:
            database_reset(engine)
            mail = bench_mail(engine)
        except Exception as error:  # one database down must not lose the other's figures
            _say(f"!! {engine} failed: {error}")
            mail = {"error": str(error)}
        results["databases"].setdefault(engine, {})["mail"] = mail
        if not os.environ.get("BENCH_KEEP_DB"):
            database_drop(engine)
    return results


# --- the table in docs/performance.md -----------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _loads(value: Any) -> list[float]:
    """Every ``loadavg_1m_before`` found in the nested results."""
    if isinstance(value, dict):
        found = [value["loadavg_1m_before"]] if "loadavg_1m_before" in value else []
        return found + [x for v in value.values() for x in _loads(v)]
    return []


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables, each figure beside its target."""
    info = results["machine"]
    loads = _loads(results.get("databases", {}))
    load_text = (
        f" Load average (1 min) before each measurement: {min(loads):.1f} to {max(loads):.1f} "
        f"on {info['nproc']} CPUs; above {info['nproc']} other work was sharing the CPUs and "
        "the timings are inflated accordingly."
        if loads
        else ""
    )
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v)
    lines = [
        f"Measured {info['date']} on {info['nproc']} CPU ({info['cpu']}), "
        f"{info['memory_gb']} GB RAM, {info['os']}; Python {info['python']}, SQLite "
        f"{info['sqlite']}, PostgreSQL {info['postgresql']}; {packages}. "
        f"Full run: {results.get('seconds')} s.{load_text}",
        "",
        "| DB | N | figure | measured | target | verdict |",
        "|---|---:|---|---:|---|---|",
    ]
    for engine, data in results["databases"].items():
        for n, figures in data.get("sizes", {}).items():
            row = f"| {engine} | {int(n):,} |"
            gen, build = figures.get("generate", {}), figures.get("dashboard", {})
            floor, page = figures.get("floor", {}), figures.get("page", {})
            lines.append(
                f"{row} generate | {_num(gen.get('seconds'))} s "
                f"({_num(gen.get('respondents_per_second'))} resp/s) | 100k well under 60 s | "
                f"{_verdict(None if int(n) != 100_000 else (gen.get('seconds') or 1e9) < 60)} |"
            )
            ratio = build.get("floor_ratio")
            lines.append(
                f"{row} dashboard build / floor | {_num(build.get('seconds'))} s / "
                f"{_num(floor.get('seconds'))} s = **{_num(ratio)}×** | ≤ 3× | "
                f"{_verdict(None if ratio is None else ratio <= DASHBOARD_FLOOR_RATIO)} |"
            )
            queries, queries_small = build.get("queries"), build.get("queries_at_50")
            lines.append(
                f"{row} dashboard queries (at N / at 50 respondents) | {_num(queries)} / "
                f"{_num(queries_small)} | bounded whatever N | "
                f"{_verdict(None if queries is None else queries == queries_small)} |"
            )
            lines.append(
                f"{row} dashboard build peak memory | +{_num(build.get('rss_peak_mb'), 0)} MB "
                f"RSS (traced {_num(build.get('traced_peak_mb'), 0)} MB) | – | n/a |"
            )
            chart = page.get("chart_data_bytes")
            lines.append(
                f"{row} dashboard page: request, HTML, chart data | "
                f"{_num(page.get('seconds'))} s, {_num(page.get('html_bytes'))} B, "
                f"**{_num(chart)} B** | chart data < 1 MB | "
                f"{_verdict(None if chart is None else chart < CHART_DATA_BYTES)} |"
            )
            for kind in ("responses", "summary", "gaps"):
                export = figures.get(f"export_{kind}", {})
                peak = export.get("rss_peak_mb")
                rate = export.get("respondents_per_second")
                ok = None
                if peak is not None and rate is not None:
                    ok = peak < EXPORT_PEAK_MB and rate >= EXPORT_ROWS_PER_SECOND
                hit = export.get("cached_seconds")
                hit_text = "" if hit is None else f"; from the cache {_num(hit, 3)} s"
                lines.append(
                    f"{row} {kind}.csv: time, peak, rate | {_num(export.get('seconds'))} s, "
                    f"+{_num(peak, 0)} MB RSS, {_num(rate)} respondents/s "
                    f"({_num(export.get('rows'))} rows out){hit_text} | < 200 MB, "
                    f"≥ 50,000 rows/s | {_verdict(ok)} |"
                )
            cached = figures.get("cached", {})
            cached_text = (
                f"{_num(cached.get('seconds'), 3)} s" if cached.get("wired") else "not wired"
            )
            lines.append(
                f"{row} cached dashboard request | {cached_text} | cached | "
                f"{_verdict(bool(cached.get('wired')))} |"
            )
        mail = data.get("mail")
        if mail:
            request = mail.get("request_seconds")
            ok = None
            if "error" not in mail:
                ok = (
                    request is not None
                    and request < SEND_REQUEST_SECONDS
                    and bool(mail.get("exactly_once"))
                    and mail.get("links_ok") == mail.get("links_checked")
                )
            rate = mail.get("rate_per_minute") or "no"
            when = (
                f" (measured {mail['date']}, load {mail.get('loadavg_1m_before')})"
                if "date" in mail
                else ""
            )
            lines.append(
                f"| {engine} | mail{when} | Send for "
                f"{_num(mail.get('invitees'))} invitees: request "
                f"**{_num(request, 3)} s**; last email accepted after "
                f"{_num(mail.get('last_email_seconds'))} s "
                f"({_num(mail.get('emails_per_second'), 1)} emails/s, one worker, {rate} "
                f"throttle); {_num(mail.get('received'))} received, "
                f"exactly once: {mail.get('exactly_once')}; links open the survey: "
                f"{mail.get('links_ok')}/{mail.get('links_checked')} | request < 2 s, exactly "
                f"once, links work | {_verdict(ok)} |"
            )
        for name, load in data.get("load", {}).items():
            pages = load.get("latency", {}).get("survey_pages", {})
            p95 = pages.get("p95_ms")
            # Without pauses the run measures capacity: its latency is queueing (concurrency
            # / throughput), so the p95 target applies to the paced run only.
            saturation = not load.get("think_seconds")
            ok = (
                None
                if "error" in load
                else load.get("errors") == 0
                and load.get("database_locked") == 0
                and bool(load.get("stored_exactly_once"))
                and (saturation or (p95 is not None and p95 < SURVEY_P95_MS))
            )
            target = (
                "0 errors, 0 locked, exactly once (capacity run: no latency target)"
                if saturation
                else "0 errors, 0 locked, p95 < 200 ms, exactly once"
            )
            lines.append(
                f"| {engine} | load {name} | {load.get('concurrency')} concurrent, think "
                f"{load.get('think_seconds')} s: {load.get('completed')}/"
                f"{load.get('respondents')} completed, {_num(load.get('requests_per_second'))} "
                f"req/s; survey pages p50/p95/p99 {_num(pages.get('p50_ms'), 0)}/"
                f"**{_num(p95, 0)}**/{_num(pages.get('p99_ms'), 0)} ms; errors "
                f"{load.get('errors')}, locked {load.get('database_locked')}, stored exactly "
                f"once: {load.get('stored_exactly_once')} | {target} | {_verdict(ok)} |"
            )
    return "\n".join(lines)


def doc_update(results: dict[str, Any]) -> None:
    """Rewrite the generated part of docs/performance.md (between its markers)."""
    table = f"{START}\n{markdown(results)}\n{END}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{table}\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = f"{before}{table}{after}"
    else:
        text = f"{text.rstrip()}\n\n{table}\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    sizes = [int(n) for n in _list("BENCH_SIZES", "10000,100000")]
    engines = _list("BENCH_DATABASES", ",".join(ENGINES))
    started = time.monotonic()
    if os.environ.get("BENCH_ONLY", "").strip().lower() == "mail":
        results = bench_mail_only(engines)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        doc_update(results)
        _say(f"\n{markdown(results)}\n\nWrote {RESULTS.relative_to(ROOT)} and docs/performance.md.")
        return
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes, "databases": {}}
    _say(json.dumps(results["machine"]))
    for engine in engines:
        try:
            results["databases"][engine] = bench_engine(engine, sizes)
        except Exception as error:  # one database down must not lose the other's figures
            _say(f"!! {engine} failed: {error}")
            results["databases"][engine] = {"error": str(error)}
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    doc_update(results)
    _say(f"\n{markdown(results)}\n\nWrote {RESULTS.relative_to(ROOT)} and docs/performance.md.")


if __name__ == "__main__":
    main()
