"""The benchmark code keeps working: generator, dashboard build, floor and exports at N=50.

Figures are printed by `make bench`; nothing here is timed.
"""

from __future__ import annotations

import pytest

from assessment.services import instrument_load
from bench.generate import respondents_generate
from bench.load import _fields, latency_table
from bench.measure import dashboard_build, export_consume, floor_read
from survey.models import Answer, Response
from survey.services.rounds import round_create

pytestmark = pytest.mark.django_db

N = 50


@pytest.fixture
def bench_round():
    instrument = instrument_load().instrument
    return round_create(instrument=instrument, name="Bench smoke", slug="bench-smoke")


@pytest.mark.parametrize("method", ["raw", "service"])
def test_generator_inserts_n_respondents_with_their_answers(bench_round, method):
    result = respondents_generate(round=bench_round, n=N, method=method, batch_size=20)
    responses = Response.objects.filter(round=bench_round)
    assert responses.count() == N
    assert set(responses.values_list("side", flat=True)) <= {"it", "security", "other"}
    assert Answer.objects.filter(response__round=bench_round).count() == result.answers
    # 38 Likert items each, ~3 % left blank: far more than half are answered.
    assert result.answers > N * 30


def test_both_methods_write_the_same_answers(bench_round):
    other = round_create(instrument=bench_round.instrument, name="Bench smoke 2", slug="b2")
    respondents_generate(round=bench_round, n=N, method="raw", seed=3)
    respondents_generate(round=other, n=N, method="service", seed=3)

    def values(survey_round):
        return sorted(
            Answer.objects.filter(response__round=survey_round, value__isnull=False).values_list(
                "item__code", "value"
            )
        )

    assert values(bench_round) == values(other)


def test_dashboard_build_floor_and_exports_run_on_generated_data(bench_round):
    respondents_generate(round=bench_round, n=N)
    context = dashboard_build(slug="bench-smoke")
    assert set(context["figures"]) == {"gap", "heatmap", "radar"}
    likert_answers = Answer.objects.filter(response__round=bench_round, value__isnull=False).count()
    assert floor_read(slug="bench-smoke") == likert_answers
    assert export_consume(slug="bench-smoke", kind="responses")["rows"] == N
    assert export_consume(slug="bench-smoke", kind="summary")["rows"] > 0


def test_load_client_reads_forms_and_summarises_latency():
    form = _fields(
        b'<input type="hidden" name="csrfmiddlewaretoken" value="abc">'
        b'<input type="radio" name="sc1" value="1"><input type="radio" name="sc1" value="2">'
        b'<textarea name="sc_comment"></textarea>'
    )
    assert (form.csrf, form.radios, form.textareas) == ("abc", ["sc1"], ["sc_comment"])
    table = latency_table([("page", 0.010, 200), ("page", 0.030, 200), ("welcome", 0.02, 200)])
    assert table["page"]["count"] == 2
    assert table["survey_pages"]["count"] == 3
    assert table["page"]["p50_ms"] == 20.0


def test_the_mail_run_has_its_row_beside_its_target():
    from bench.run import markdown

    machine = {
        "date": "2026-12-07 17:00 UTC",
        "nproc": 2,
        "cpu": "test",
        "memory_gb": 1,
        "os": "Linux",
        "python": "3.11",
        "sqlite": "3",
        "postgresql": "15",
        "packages": {},
    }
    mail = {
        "invitees": 2000,
        "rate_per_minute": 0,
        "request_seconds": 0.25,
        "last_email_seconds": 30.0,
        "emails_per_second": 66.7,
        "received": 2000,
        "exactly_once": True,
        "links_checked": 20,
        "links_ok": 20,
    }
    table = markdown({"machine": machine, "databases": {"sqlite": {"mail": mail}}})
    assert "| sqlite | mail | Send for 2,000 invitees: request **0.250 s**" in table
    assert table.rstrip().endswith("| met |")
    slow = markdown(
        {"machine": machine, "databases": {"sqlite": {"mail": {**mail, "links_ok": 19}}}}
    )
    assert slow.rstrip().endswith("| **missed** |")
