"""Tests of the demo (survey/services/demo.py, run by ``seed_demo``): two rounds on instrument
v2, planted changes the trend finds, planted blame, misperception and drivers the analysis
finds, "don't know" where people cannot judge, comments written for their own dimension,
every filter shown, an older demo left alone."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from scipy import stats

from assessment.models import Dimension, Instrument, Item
from assessment.services import V1_INSTRUMENT_PATH
from reports.panel import respondent_scores
from reports.parameters import comment_threshold
from reports.results import RELATIONS, TREND, round_results, rounds_overview
from reports.vocabulary import Comparison
from survey.models import Answer, Level, Response, Side, SurveyRound
from survey.selectors import round_answers_frame, round_items_frame
from survey.services.demo import (
    CURRENT_MEANS,
    DEMO_PREVIOUS_SLUG,
    DEMO_ROUNDS,
    DEMO_SLUG,
    DEMO_SLUGS,
    DONT_KNOW_SHARES,
    PREVIOUS_MEANS,
    demo_calendar,
    demo_comment_texts,
    demo_delete,
    demo_respondents,
    demo_seed,
)
from tests.reports.audit.conftest import rolled_back

PLANTED_GAPS = {
    "early_involvement": "narrowed",
    "operational_handoffs": "narrowed",
    "new_technology": "widened",
}
# (dimension, side suffix: a = IT, b = Security): the planted rises and falls.
PLANTED_SCORES = {
    ("early_involvement", "b"): "rose",
    ("operational_handoffs", "b"): "rose",
    ("new_technology", "a"): "rose",
    ("new_technology", "b"): "fell",
}
# Mirror pairs (item about IT, item about Security): blame on early involvement and
# hand-offs, credit on incident roles; every other pair agrees.
PLANTED_PATTERNS = {("ei1", "ei2"): "blame", ("oh8", "oh7"): "blame", ("ir4", "ir5"): "credit"}
# (statement, the side guessing): guesses far below the other side's actual answer.
PLANTED_MISPERCEPTIONS = {("ct10", "security"), ("ei1", "it")}
PLANTED_DRIVERS = {"it": "speed_control", "security": "early_involvement"}
EFFECT_FLOOR = 10  # points: the stricter trend test (issue 14) will ask for at least this
SIDES = {"a": Side.IT, "b": Side.SECURITY}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The two demo rounds as ``seed_demo`` leaves them, ``{slug: round}`` (rolled back after
    the module)."""
    with rolled_back(django_db_blocker):
        call_command("load_instrument", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        yield {r.slug: r for r in SurveyRound.objects.filter(slug__in=DEMO_SLUGS)}


def scores_by_side(survey_round: SurveyRound) -> dict[tuple[str, str], np.ndarray]:
    """``{(dimension code, "a"|"b"): respondents' scores}``, 0–100, IT (a) and Security (b)."""
    items = round_items_frame(round=survey_round)
    scores = respondent_scores(
        round_answers_frame(round=survey_round), items, survey_round.instrument.scale_points
    )
    return {
        (str(code), suffix): part.loc[part["side"] == side, "score"].to_numpy()
        for (code, part) in scores.groupby("dimension_code", observed=True)
        for suffix, side in SIDES.items()
    }


# --- rounds --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_has_a_closed_previous_round_and_an_open_current_one_listed_first(demo):
    previous, current = demo[DEMO_PREVIOUS_SLUG], demo[DEMO_SLUG]
    assert previous.closes_at < current.opens_at
    assert not previous.is_open()
    assert current.is_open()
    assert {previous.name[-3:], current.name[-3:]} == {"-03", "-09"}
    assert Response.objects.filter(round=previous).count() == 260
    assert Response.objects.filter(round=current).count() == 300
    # Both on the default instrument, version 2, so the trend compares every statement.
    assert previous.instrument_id == current.instrument_id
    assert current.instrument.version == "2"
    # The round list (and so a leader's first click) opens on the current round.
    assert rounds_overview()[0][0].slug == DEMO_SLUG
    # Every response was submitted while its round was open.
    for survey_round in (previous, current):
        days = set(
            Response.objects.filter(round=survey_round).values_list("submitted_on", flat=True)
        )
        opened = survey_round.opens_at.date()
        assert all(opened <= day <= survey_round.closes_at.date() for day in days), days


@pytest.mark.parametrize(
    ("now", "names"),
    [
        (dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC), ["2026-03", "2026-09"]),
        (dt.datetime(2027, 2, 28, 23, tzinfo=dt.UTC), ["2026-03", "2026-09"]),
        (dt.datetime(2027, 4, 1, 12, tzinfo=dt.UTC), ["2026-09", "2027-03"]),
        (dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC), ["2026-09", "2027-03"]),
    ],
)
def test_the_demo_calendar_names_the_rounds_after_the_month_they_opened_in(now, names):
    (previous, opens_before, closes_before), (current, opens, closes) = demo_calendar(now=now)
    assert [previous, current] == names
    assert opens_before < closes_before < opens <= now < closes
    assert {opens_before.month, opens.month} == {3, 9}


def test_the_demo_answers_are_the_same_on_every_run():
    items = [Item(code="ov1", kind=Item.Kind.OUTCOME)]
    items[0].dimension = Dimension(code="overall")
    for code, prefix in (("speed_control", "sc"), ("incident_roles", "ir")):
        dimension = Dimension(code=code)
        for n in range(3):
            items.append(
                Item(
                    code=f"{prefix}{n}",
                    kind=Item.Kind.LIKERT,
                    reverse_scored=n == 2,
                    meta_perception=n == 1,
                )
            )
            items[-1].dimension = dimension
        items.append(Item(code=f"{prefix}_comment", kind=Item.Kind.TEXT))
        items[-1].dimension = dimension
    first = demo_respondents(plan=DEMO_ROUNDS[1], items=items, points=5)
    second = demo_respondents(plan=DEMO_ROUNDS[1], items=items, points=5)
    assert first == second
    responses = first[0]
    assert len(responses) == sum(DEMO_ROUNDS[1].side_counts.values())
    # Everyone rates the outcome; only IT and Security guess, and only meta statements.
    assert all(1 <= r["answers"]["ov1"] <= 5 for r in responses)
    guessed = {code for r in responses for code in r.get("predicted_other", {})}
    assert guessed == {"sc1", "ir1"}
    assert not any(r.get("predicted_other") for r in responses if r["side"] == Side.OTHER)
    # "don't know" only where the instrument offers it
    plain = demo_respondents(plan=DEMO_ROUNDS[1], items=items, points=5, dont_know=False)[0]
    assert any("dont_know" in r["answers"].values() for r in responses)
    assert not any("dont_know" in r["answers"].values() for r in plain)


# --- the trend between the rounds -----------------------------------------------------------


@pytest.mark.django_db
def test_the_trend_shows_the_planted_changes_and_only_those(demo):
    change = round_results(round=demo[DEMO_SLUG], include=[TREND]).trend.change.set_index(
        "dimension_code"
    )
    gaps = change["gap_verdict"].to_dict()
    assert gaps == {code: PLANTED_GAPS.get(code, "no clear change") for code in CURRENT_MEANS}
    for code in PLANTED_GAPS:
        assert abs(change.loc[code, "gap_change"]) >= 15, change.loc[code]
    for (code, suffix), verdict in PLANTED_SCORES.items():
        assert change.loc[code, f"verdict_{suffix}"] == verdict
        assert abs(change.loc[code, f"change_{suffix}"]) >= 15
    unplanted = [code for code in CURRENT_MEANS if CURRENT_MEANS[code] == PREVIOUS_MEANS[code]]
    assert set(change.loc[unplanted, "verdict_a"]) == {"no clear change"}


@pytest.mark.django_db
def test_the_planted_changes_clear_a_10_point_floor_under_unequal_spread(demo):
    """What a stricter trend test (Brunner–Munzel; Welch's standard error for the change
    of a gap, beyond a 10-point floor) must still find, computed here with scipy."""
    before = scores_by_side(demo[DEMO_PREVIOUS_SLUG])
    after = scores_by_side(demo[DEMO_SLUG])
    for key in PLANTED_SCORES:
        change = after[key].mean() - before[key].mean()
        p = stats.brunnermunzel(after[key], before[key]).pvalue
        assert abs(change) >= 15, (key, change)
        assert p < 0.001, (key, p)
        standard_error = math.sqrt(
            after[key].var(ddof=1) / len(after[key]) + before[key].var(ddof=1) / len(before[key])
        )
        assert (abs(change) - EFFECT_FLOOR) / standard_error > 1.96, (key, change)
    for code in PLANTED_GAPS:
        pairs = [(after[(code, s)], before[(code, s)]) for s in "ab"]
        gap_change = (pairs[0][0].mean() - pairs[1][0].mean()) - (
            pairs[0][1].mean() - pairs[1][1].mean()
        )
        standard_error = math.sqrt(sum(v.var(ddof=1) / len(v) for pair in pairs for v in pair))
        assert (abs(gap_change) - EFFECT_FLOOR) / standard_error > 3, (code, gap_change)


# --- comments ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_comment_was_written_for_its_dimension_and_side(demo):
    texts = demo_comment_texts()
    codes = set(
        Item.objects.filter(
            dimension__instrument=demo[DEMO_SLUG].instrument, kind=Item.Kind.TEXT
        ).values_list("dimension__code", flat=True)
    )
    assert len(codes) == 12  # every dimension but the outcome's
    assert set(texts) == codes
    rows = Answer.objects.filter(response__round__slug__in=DEMO_SLUGS).exclude(text="")
    seen = Counter()
    for code, side, text in rows.values_list("item__dimension__code", "response__side", "text"):
        options = texts[code][side]
        allowed = (
            options if isinstance(options, list) else [*options["critical"], *options["positive"]]
        )
        assert text in allowed, (code, side, text)
        seen[code] += 1
    assert set(seen) == codes


@pytest.mark.django_db
def test_critical_comments_come_from_respondents_who_answered_unfavourably(demo):
    texts = demo_comment_texts()
    survey_round = demo[DEMO_SLUG]
    scores = respondent_scores(
        round_answers_frame(round=survey_round),
        round_items_frame(round=survey_round),
        survey_round.instrument.scale_points,
    ).set_index(["response_id", "dimension_code"])["score"]
    rows = Answer.objects.filter(response__round=survey_round, response__side__in=SIDES.values())
    tones = Counter()
    for response_id, code, side, text in rows.exclude(text="").values_list(
        "response_id", "item__dimension__code", "response__side", "text"
    ):
        tone = "critical" if text in texts[code][side]["critical"] else "positive"
        score = scores.get((response_id, code))
        if score is not None and not math.isnan(score):
            tones[tone] += 1
            assert (score < 50) == (tone == "critical"), (code, side, score, text)
    assert tones["critical"] > 0
    assert tones["positive"] > 0


@pytest.mark.django_db
def test_several_dimensions_have_enough_commenters_on_each_side(demo):
    survey_round = demo[DEMO_SLUG]
    threshold = comment_threshold(round=survey_round)
    writers = Counter(
        Answer.objects.filter(response__round=survey_round)
        .exclude(text="")
        .values_list("item__dimension__code", "response__side")
    )
    both_sides = {
        code
        for code in CURRENT_MEANS
        if writers[(code, Side.IT)] >= threshold and writers[(code, Side.SECURITY)] >= threshold
    }
    assert threshold == 10
    assert both_sides == {
        "speed_control",
        "early_involvement",
        "communication_trust",
        "new_technology",
        "decision_rights",
        "ai_governance",
    }
    # and some below it, so the threshold shows
    assert any(writers[(code, Side.SECURITY)] < threshold for code in CURRENT_MEANS)


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_every_level_function_and_region_holds_2k_of_each_side_it_has(demo, slug):
    survey_round = demo[slug]
    k = survey_round.min_group_size
    rows = list(
        Response.objects.filter(round=survey_round).values_list(
            "side", "level", "function", "attributes__region"
        )
    )
    for column in (1, 2, 3):
        totals = Counter(row[column] for row in rows)
        assert "" not in totals
        assert None not in totals
        assert min(totals.values()) >= 2 * k, totals
        by_side = Counter((row[0], row[column]) for row in rows if row[0] != Side.OTHER)
        assert min(by_side.values()) >= 2 * k, by_side
    assert {row[3] for row in rows} == {"EMEA", "Americas", "APAC"}
    assert {row[1] for row in rows} == {"individual", "manager", "executive"}


@pytest.mark.django_db
@pytest.mark.perturbed
def test_every_filter_of_the_current_round_shows_its_figures(demo):
    survey_round = demo[DEMO_SLUG]
    choices = Response.objects.filter(round=survey_round)
    filters = [
        *({"level": v} for v in choices.values_list("level", flat=True).distinct()),
        *({"function": v} for v in choices.values_list("function", flat=True).distinct()),
        *({"region": v} for v in ("EMEA", "Americas", "APAC")),
    ]
    assert len(filters) == 3 + 9 + 3
    for selected in filters:
        figures = round_results(round=survey_round, filters=selected).figures
        assert not figures.too_few, selected
        assert figures.respondents >= 2 * survey_round.min_group_size, selected
        shown = figures.summary.dropna(subset=["score_mean"])
        assert len(shown), selected
        if "function" not in selected:  # a function belongs to one side, mostly
            assert figures.gaps["gap"].notna().all(), selected


@pytest.mark.django_db
@pytest.mark.perturbed
@pytest.mark.parametrize("attribute", ["level", "function", "region"])
def test_every_value_of_the_current_round_shows_in_a_comparison(demo, attribute):
    survey_round = demo[DEMO_SLUG]
    field = "attributes__region" if attribute == "region" else attribute
    responses = Response.objects.filter(round=survey_round).order_by(field)
    values = list(responses.values_list(field, flat=True).distinct())
    assert len(values) >= 3
    for value, other in zip(values, [*values[1:], values[0]], strict=True):
        comparison = Comparison(attribute=attribute, group_a=(value,), group_b=(other,))
        figures = round_results(round=survey_round, comparison=comparison).figures
        assert not figures.hidden_groups, (value, other)
        assert figures.gaps["gap"].notna().all(), (value, other)


# --- how the sides see each other (instrument v2) ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.perturbed
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_the_mirror_pairs_show_the_planted_blame_and_credit_and_agree_elsewhere(demo, slug):
    patterns = round_results(round=demo[slug], include=[RELATIONS]).relations.mirror_patterns
    found = {
        (row.item_about_it, row.item_about_security): row.pattern for row in patterns.itertuples()
    }
    assert len(found) == 12
    assert {pair: found[pair] for pair in PLANTED_PATTERNS} == PLANTED_PATTERNS
    # No other pair reads blame or credit; several agree (the others are too uncertain to tell:
    # mixed, as they should be at these group sizes with the published figures' noise).
    others = Counter(found[pair] for pair in found if pair not in PLANTED_PATTERNS)
    assert set(others) <= {"agreement", "mixed"}, others
    assert others["agreement"] >= 3, others
    for row in patterns.itertuples():
        if PLANTED_PATTERNS.get((row.item_about_it, row.item_about_security)) == "blame":
            # each side rates itself at least 15 points above the other, interval clear of 0
            assert row.it_self_minus_other >= 15, row
            assert row.security_self_minus_other >= 15, row
            assert min(row.it_ci_low, row.security_ci_low) > 0, row


@pytest.mark.django_db
@pytest.mark.perturbed
def test_the_planted_misperceptions_are_far_below_the_other_sides_answer(demo):
    perceptions = round_results(round=demo[DEMO_SLUG], include=[RELATIONS]).relations.perceptions
    items = perceptions.loc[perceptions["level"] == "item"]
    assert len(items) == 2 * 9  # each side's guesses of the nine meta statements
    for row in items.itertuples():
        if (row.item_code, row.side) in PLANTED_MISPERCEPTIONS:
            assert row.misperception <= -15, row
            assert row.misperception_ci_high < 0, row
        else:
            # the general, small pessimism: never a large misperception
            assert abs(row.misperception) < 10, row
    # The guessing side's counts are those who answered and guessed: IT and Security only.
    assert set(items["side"]) == {"it", "security"}
    assert items["n_side"].min() >= 80


@pytest.mark.django_db
@pytest.mark.perturbed
def test_the_drivers_page_names_the_planted_driver_of_each_side(demo):
    drivers = round_results(round=demo[DEMO_SLUG], include=[RELATIONS]).relations.drivers
    top = drivers.loc[drivers["top"]].set_index("side")
    assert top["dimension_code"].to_dict() == PLANTED_DRIVERS
    assert (top["ci_low"] > 0).all(), top
    assert (top["r"] >= 0.35).all(), top
    assert len(drivers) == 2 * 12
    assert not drivers["suppressed"].any()


@pytest.mark.django_db
def test_the_top_driver_matches_scipys_spearman_on_the_stored_answers(demo):
    survey_round = demo[DEMO_SLUG]
    drivers = round_results(round=survey_round, include=[RELATIONS]).relations.drivers
    answers = round_answers_frame(round=survey_round)
    scores = respondent_scores(
        answers, round_items_frame(round=survey_round), survey_round.instrument.scale_points
    ).pivot_table(index="response_id", columns="dimension_code", values="score", observed=True)
    overall = answers.loc[answers["item_code"] == "ov1"].set_index("response_id")["value"]
    sides = answers.drop_duplicates("response_id").set_index("response_id")["side"]
    for side, code in PLANTED_DRIVERS.items():
        members = sides.index[sides == side]
        pair = pd.concat([scores.loc[members, code], overall.reindex(members)], axis=1).dropna()
        expected = stats.spearmanr(pair.iloc[:, 0], pair.iloc[:, 1]).statistic
        row = drivers.loc[(drivers["side"] == side) & (drivers["dimension_code"] == code)]
        assert row["r"].item() == pytest.approx(expected, abs=0.005), side


@pytest.mark.django_db
def test_dont_know_appears_where_people_cannot_judge_and_more_among_staff(demo):
    rows = Answer.objects.filter(
        response__round=demo[DEMO_SLUG], item__kind__in=[Item.Kind.LIKERT, Item.Kind.OUTCOME]
    ).values_list("item__dimension__code", "response__level", "dont_know")
    answered: Counter = Counter()
    unknown: Counter = Counter()
    for code, level, dont_know in rows:
        key = (code in DONT_KNOW_SHARES, level)
        answered[key] += 1
        unknown[key] += dont_know
    share = {key: unknown[key] / answered[key] for key in answered}
    staff, managers, executives = (
        share[(True, level)] for level in (Level.INDIVIDUAL, Level.MANAGER, Level.EXECUTIVE)
    )
    assert 0.08 < staff < 0.2, staff
    assert staff > managers > executives > 0
    assert all(share[(False, level)] < 0.03 for level in Level.values)
    # never a score: a "don't know" answer has no value
    assert not Answer.objects.filter(dont_know=True, value__isnull=False).exists()
    figures = round_results(round=demo[DEMO_SLUG]).figures
    shown = figures.dont_know.dropna(subset=["dont_know_pct"])
    by_dimension = shown.groupby("dimension_code")["dont_know_pct"].mean()
    assert set(by_dimension.nlargest(4).index) == set(DONT_KNOW_SHARES)


# --- an older demo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_older_demo_on_instrument_v1_is_left_alone_until_reset(demo):
    """A database seeded before v2: seed_demo names --reset rather than mixing versions or
    failing, and --reset seeds the demo on v2."""
    demo_delete()
    Instrument.objects.all().delete()
    call_command("load_instrument", str(V1_INSTRUMENT_PATH), stdout=StringIO())
    demo_seed(instrument=Instrument.objects.get(), now=dt.datetime.now(dt.UTC))
    call_command("load_instrument", stdout=StringIO())  # the upgrade brings v2

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "--reset" in out.getvalue()
    versions = set(
        SurveyRound.objects.filter(slug__in=DEMO_SLUGS).values_list(
            "instrument__version", flat=True
        )
    )
    assert versions == {"1"}

    call_command("seed_demo", "--reset", stdout=StringIO())
    rounds = SurveyRound.objects.filter(slug__in=DEMO_SLUGS)
    assert set(rounds.values_list("instrument__version", flat=True)) == {"2"}
    assert Response.objects.filter(round__in=rounds).count() == 560
    out = StringIO()
    call_command("seed_demo", stdout=out)  # idempotent
    assert "not seeded again" in out.getvalue()
    assert Response.objects.filter(round__in=rounds).count() == 560
