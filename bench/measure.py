"""One measurement per process: the dashboard build, its floor, the page, an export, the cache.

Run as ``python -m bench.measure KIND --slug SLUG [--warm-slug SMALL]`` with DATABASE_URL
set; prints one JSON object. Each measurement first runs on a small round to warm up
(imports, Plotly's lazy validators, template loading), then is timed, then (unless
``--no-trace``) runs again under tracemalloc. Peak memory is given two ways: ``traced_peak_mb``
(tracemalloc: Python and numpy allocations made during the run) and ``rss_peak_mb`` (growth
of the process's resident set, from Linux's VmHWM after resetting it; includes libpq's and
SQLite's buffers, which tracemalloc cannot see).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

KINDS = (
    "dashboard",
    "floor",
    "page",
    "cached",
    "export:responses",
    "export:summary",
    "export:gaps",
)
JSON_SCRIPT = re.compile(rb'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)
MB = 1024 * 1024


def _django_setup() -> None:
    import django

    django.setup()


# --- what is measured --------------------------------------------------------------------


@contextlib.contextmanager
def _render_captured(store: dict[str, Any]) -> Iterator[None]:
    """Swap the dashboard view module's render for one that keeps the context and renders
    nothing."""
    from django.http import HttpResponse

    from reports.views import dashboard as views

    original = views.render

    def capture(request: Any, template: str, context: dict | None = None, **kwargs: Any):
        store["template"] = template
        store["context"] = context or {}
        return HttpResponse(status=kwargs.get("status", 200))

    views.render = capture
    try:
        yield
    finally:
        views.render = original


def _leader() -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-leader", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def dashboard_build(*, slug: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """Build the dashboard exactly as its view does (selectors, analysis, every chart, the
    records for the template), without rendering the template, and never from the cache.
    Returns the context; ``counts["queries"]`` gets the number of queries when given."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from reports.views import dashboard as views

    cache.clear()  # bench processes use local memory (bench_env drops REDIS_URL)
    request = RequestFactory().get(f"/reports/rounds/{slug}/")
    request.user = _leader()
    store: dict[str, Any] = {}
    with _render_captured(store), CaptureQueriesContext(connection) as queries:
        views.dashboard(request, slug=slug)
    if counts is not None:
        counts["queries"] = len(queries.captured_queries)
    context = store.get("context", {})
    if context.get("empty", True):
        raise RuntimeError(f"The dashboard of {slug!r} is empty: nothing was measured.")
    return context


def _answers_sql(slug: str) -> tuple[str, tuple]:
    """The SQL and parameters of the answers read behind the dashboard: the statement of
    ``survey.selectors.round_answers_frame`` (integers only; the profiles and items it also
    reads are one row per respondent and per item, and are not part of the floor)."""
    from assessment.models import Item
    from survey.models import SurveyRound
    from survey.selectors import round_answers_sql

    survey_round = SurveyRound.objects.get(slug=slug)
    item_ids = list(
        Item.objects.filter(
            dimension__instrument_id=survey_round.instrument_id, kind=Item.Kind.LIKERT
        ).values_list("pk", flat=True)
    )
    return round_answers_sql(round=survey_round, item_ids=item_ids)


def floor_read(*, slug: str, chunk: int = 20_000) -> int:
    """The floor: read every answer row the dashboard needs with a plain cursor, nothing
    else (rows fetched in chunks and dropped). Returns the number of rows."""
    from django.db import connection

    sql, params = _answers_sql(slug)
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            rows += len(batch)
    return rows


def _client() -> Any:
    from django.test import Client

    client = Client()
    client.force_login(_leader())
    return client


def dashboard_page(*, slug: str, client: Any = None) -> dict[str, Any]:
    """GET the dashboard as a leader (Django's test client): the HTML's size and that of
    its chart data (the json_script blocks)."""
    from django.urls import reverse

    client = client or _client()
    response = client.get(reverse("reports:dashboard", kwargs={"slug": slug}))
    if response.status_code != 200:
        raise RuntimeError(f"The dashboard answered {response.status_code}.")
    body = response.content
    blocks = {name.decode(): len(data) for name, data in JSON_SCRIPT.findall(body)}
    return {
        "html_bytes": len(body),
        "chart_data_bytes": sum(blocks.values()),
        "json_blocks": blocks,
    }


def export_consume(*, slug: str, kind: str) -> dict[str, int]:
    """Stream one CSV export to nowhere, as the download does. Returns bytes and data rows
    (line ends counted: a chunk may hold many rows; no exported cell holds a CRLF)."""
    from reports.downloads import round_export
    from survey.models import SurveyRound

    survey_round = SurveyRound.objects.select_related("instrument").get(slug=slug)
    size = lines = 0
    for chunk in round_export(round=survey_round, kind=kind):
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    return {"bytes": size, "rows": max(lines - 1, 0)}  # minus the header


def cache_wired() -> bool:
    """True when the dashboard view reads its figures through the cached round results."""
    from reports.views import dashboard as views

    source = Path(views.__file__).read_text(encoding="utf-8")
    return "round_results(" in source and "presentation_cached(" in source


# --- how it is measured ------------------------------------------------------------------


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _hwm_reset() -> bool:
    """Reset the peak resident set (VmHWM) of this process; False where Linux refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(
    run: Callable[[], Any],
    *,
    warm: Callable[[], Any] | None = None,
    repeat: int = 1,
    trace: bool = True,
) -> dict[str, Any]:
    """Time ``run`` (best and median of ``repeat`` runs, after ``warm`` when given) and its
    peak memory: resident-set growth over the timed runs, and (``trace``) a tracemalloc run."""
    if warm is not None:
        warm()
    gc.collect()
    times = []
    result = None
    before = _rss_mb()
    reset = _hwm_reset()
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    rss_peak = _hwm_mb() - before if reset else None
    traced = None
    if trace:
        gc.collect()
        tracemalloc.start()
        run()
        traced = round(tracemalloc.get_traced_memory()[1] / MB, 1)
        tracemalloc.stop()
    return {
        "seconds": round(min(times), 4),
        "seconds_median": round(statistics.median(times), 4),
        "runs": repeat,
        "traced_peak_mb": traced,
        "rss_peak_mb": None if rss_peak is None else round(max(rss_peak, 0.0), 1),
        "rss_before_mb": round(before, 1),
        "result": result,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--warm-slug", help="a small round to warm up on (imports, caches)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args(argv)
    _django_setup()
    slug, warm_slug, trace = args.slug, args.warm_slug or args.slug, not args.no_trace
    out: dict[str, Any] = {"kind": args.kind, "slug": slug}
    if args.kind == "dashboard":
        counts: dict[str, int] = {}
        warm_counts: dict[str, int] = {}
        out |= measure(
            lambda: len(dashboard_build(slug=slug, counts=counts)),
            warm=lambda: dashboard_build(slug=warm_slug, counts=warm_counts),
            repeat=args.repeat,
            trace=trace,
        )
        out.pop("result")
        # Bounded whatever N: the same number of queries for 50 respondents and for N.
        out["queries"] = counts.get("queries")
        out["queries_at_50"] = warm_counts.get("queries")
    elif args.kind == "floor":
        out |= measure(
            lambda: floor_read(slug=slug),
            warm=lambda: floor_read(slug=warm_slug),
            repeat=args.repeat,
            trace=trace,
        )
        out["rows"] = out.pop("result")
    elif args.kind == "page":
        client = _client()
        out |= measure(
            lambda: dashboard_page(slug=slug, client=client),
            warm=lambda: dashboard_page(slug=warm_slug, client=client),
            repeat=args.repeat,
            trace=False,
        )
        out |= out.pop("result")
    elif args.kind == "cached":
        out["wired"] = cache_wired()
        if out["wired"]:
            client = _client()
            # The warm-up request fills the cache; the timed ones are served from it.
            out |= measure(
                lambda: dashboard_page(slug=slug, client=client),
                warm=lambda: dashboard_page(slug=slug, client=client),
                repeat=3,
                trace=False,
            )
            out.pop("result")
    else:
        kind = args.kind.split(":", 1)[1]
        out |= measure(
            lambda: export_consume(slug=slug, kind=kind),
            warm=lambda: export_consume(slug=warm_slug, kind=kind),
            repeat=args.repeat,
            trace=trace,
        )
        out |= out.pop("result")
        out["rows_per_second"] = round(out["rows"] / out["seconds"]) if out["seconds"] else None
        if kind != "responses":
            # The timed runs above filled the results cache: a further download is a hit.
            started = time.perf_counter()
            export_consume(slug=slug, kind=kind)
            out["cached_seconds"] = round(time.perf_counter() - started, 4)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
