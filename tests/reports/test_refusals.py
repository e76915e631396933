"""Issue 13: a comparison that cannot be made is refused in words, never swapped for another,
and odd group values (a leading "+", a "+" inside, commas, spaces) compare and download alike
on the page and on the command line."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.forms import group_values
from tests.reports.conftest import IT_ANSWERS, SECURITY_ANSWERS

ODD = ["+cmd", "R+D", "North, East"]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("+cmd", ("+cmd",)),
        ("R+D", ("R+D",)),  # one value, not R and D: the fewest values win
        ("R+D++cmd", ("R+D", "+cmd")),
        ("North, East", ("North, East",)),
        (" R + EMEA ", ("R", "EMEA")),
        ("EMEA+EMEA", None),
        ("EMEA+", None),
        ("", None),
        ("Mars", None),
    ],
)
def test_group_values_match_whole_values_even_with_a_plus_inside(text, values):
    allowed = {"+cmd", "R+D", "R", "D", "EMEA", "North, East"}
    assert group_values(text, allowed) == values


@pytest.fixture
def odd_round(survey_round, make_responses):
    """k = 5: six respondents in each of three regions with odd names; two on Mars and three
    on Venus, hidden, who together hold k, so no other region is hidden with them."""
    specs = [("it", IT_ANSWERS)] * 9 + [("security", SECURITY_ANSWERS)] * 14
    regions = [{"region": value} for value in ODD for _ in range(6)]
    regions += [{"region": "Mars"}] * 2 + [{"region": "Venus"}] * 3
    make_responses(survey_round, specs, attributes=regions)
    return survey_round


def gaps_url(survey_round) -> str:
    return reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "gaps"})


@pytest.mark.django_db
@pytest.mark.parametrize(("a", "b"), [("+cmd", "R+D"), ("North, East", "+cmd")])
def test_odd_values_compare_and_download_as_on_the_command_line(
    leader_client, odd_round, tmp_path, a, b
):
    query = {"attribute": "region", "a": a, "b": b}
    page = leader_client.get(reverse("reports:dashboard", kwargs={"slug": odd_round.slug}), query)
    assert page.context["comparison_problems"] == []
    assert page.context["comparison"].group_a == (a,)
    assert page.context["comparison"].group_b == (b,)
    downloaded = b"".join(leader_client.get(gaps_url(odd_round), query).streaming_content)
    output = tmp_path / "gaps.csv"
    call_command(
        "export_csv", odd_round.slug, "--kind", "gaps", "--output", str(output),
        "--attribute", "region", "--group-a", a, "--group-b", b,
    )  # fmt: skip
    assert output.read_bytes() == downloaded
    rows = list(csv.DictReader(io.StringIO(downloaded.decode("utf-8-sig"))))
    # A cell starting with "+" is written as text, not run as a formula.
    safe = {"+cmd": "'+cmd"}
    assert {(row["group_a"], row["group_b"]) for row in rows} == {(safe.get(a, a), safe.get(b, b))}
    assert {row["n_a"] for row in rows} == {"6"}


@pytest.mark.django_db
def test_a_download_of_a_comparison_that_cannot_be_made_is_refused_in_words(
    leader_client, odd_round
):
    response = leader_client.get(
        gaps_url(odd_round), {"attribute": "region", "a": "Mars", "b": "R+D"}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "“Mars” cannot be compared" in body
    assert "no other file was put in its place" in body
    with pytest.raises(CommandError, match="“Mars” cannot be compared"):
        call_command(
            "export_csv", odd_round.slug, "--kind", "gaps", "--output", "-",
            "--attribute", "region", "--group-a", "Mars", "--group-b", "R+D",
        )  # fmt: skip


@pytest.mark.django_db
def test_summary_and_responses_downloads_refuse_a_comparison_in_words(leader_client, odd_round):
    """As the command does: summary.csv has no comparison, so one asked for is refused, not
    silently dropped (found by a fresh-user trial)."""
    url = reverse("reports:export", kwargs={"slug": odd_round.slug, "kind": "summary"})
    response = leader_client.get(url, {"attribute": "region", "a": "Mars", "b": "R+D"})
    assert response.status_code == 400
    assert "summary.csv does not take a comparison" in response.content.decode()


@pytest.mark.django_db
def test_the_command_refuses_a_comparison_for_an_export_that_has_none(odd_round):
    """Found by a fresh-user trial: comparison options were silently ignored."""
    with pytest.raises(CommandError, match="--attribute: a comparison applies to --kind gaps"):
        call_command(
            "export_csv", odd_round.slug, "--kind", "summary", "--output", "-",
            "--attribute", "region",
        )  # fmt: skip
