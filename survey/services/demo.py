"""Demo writes: two rounds of synthetic respondents, the previous and the current one, whose
answers show believable friction, a believable change between the two rounds, and (on
instrument v2) blame between the sides, a misperception of the other side and what drives
the overall rating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import yaml
from django.db import transaction

from assessment.models import Instrument, Item
from assessment.selectors import instrument_newest
from survey.models import Function, Invitation, Level, Response, Side, SurveyRound
from survey.scale import DONT_KNOW
from survey.services.invitations import invitations_issue
from survey.services.responses import dont_know_offered, responses_create_bulk
from survey.services.rounds import round_create

DEMO_SLUG = "demo"  # the current round: it opened last, so the round list shows it first
DEMO_PREVIOUS_SLUG = "demo-previous"
DEMO_SLUGS = (DEMO_PREVIOUS_SLUG, DEMO_SLUG)  # oldest first
DEMO_SEED = 20261130
DEMO_TIMEZONE = "Europe/London"
DEMO_MIN_GROUP_SIZE = 5
COMMENTS_PATH = Path(__file__).resolve().parent.parent / "demo_comments.yaml"

# How favourably each side sees each dimension in the previous round, as the mean item score
# (1..5, after reverse coding) of a typical respondent, (IT, Security). IT finds security
# reviews slow and imposed; security is brought in too late and waits on IT to remediate;
# both agree on incident roles.
PREVIOUS_MEANS: dict[str, tuple[float, float]] = {
    "speed_control": (2.3, 3.7),
    "early_involvement": (3.8, 2.0),
    "shared_objectives": (3.2, 2.7),
    "communication_trust": (3.1, 2.85),
    "incident_roles": (3.9, 3.8),
    "operational_handoffs": (3.1, 2.0),
    "new_technology": (2.9, 3.0),
    # Instrument v2's new dimensions: nobody is sure who may accept a risk, administrators
    # find the access rules slow, audits are security's worry, budgets are planned apart,
    # and AI rules are unclear to both.
    "decision_rights": (2.8, 2.6),
    "identity_access": (2.5, 3.3),
    "compliance_audit": (3.0, 3.4),
    "budgets_roadmaps": (2.6, 2.4),
    "ai_governance": (2.7, 2.5),
}
# Between the rounds a change programme put a named security contact into every project from
# the business case and gave every remediation step an owner: security's view of early
# involvement and of hand-offs rose, and those gaps narrowed. Meanwhile IT rolled AI
# assistants out to everyone: IT likes the new tools more, security less, and that gap
# widened. The rest stayed as they were. Each planted change is at least 0.6 of a scale
# point (15 points on 0–100), well above what noise gives at these group sizes.
CURRENT_MEANS: dict[str, tuple[float, float]] = {
    **PREVIOUS_MEANS,
    "early_involvement": (3.7, 2.9),
    "operational_handoffs": (2.9, 2.75),
    "new_technology": (3.6, 2.1),
}
NEUTRAL_MEANS = (3.3, 3.1)
# The typical answer to the outcome statement, (IT, Security): Security's rose a little with
# early involvement, what moves it most (DRIVER_WEIGHTS).
PREVIOUS_OUTCOME = (3.3, 2.6)
CURRENT_OUTCOME = (3.3, 2.9)
# A statement's shift from its dimension's mean, (IT, Security), in both rounds: the mirror
# pairs (instrument v2). Blame on early involvement and on hand-offs: each side says it does
# its part and the other does not (IT: "we bring security in, they are never available";
# Security: "we are available, IT brings us in late"), by 1.2 and 1.0 scale points, which
# cancel in the dimension's score. Credit on incident roles, after the joint exercises: each
# side rates the other's grasp of what it needs above its own. Unlisted pairs agree.
ITEM_SHIFTS: dict[str, tuple[float, float]] = {
    "ei1": (0.6, -0.6),  # IT brings security in at the planning stage (about IT)
    "ei2": (-0.6, 0.6),  # Security makes itself available (about Security)
    "oh8": (0.5, -0.5),  # work security hands to IT is picked up (about IT)
    "oh7": (-0.5, 0.5),  # work IT hands to security is picked up (about Security)
    "ir4": (-0.4, 0.4),  # IT knows what security needs during an incident (about IT)
    "ir5": (0.4, -0.4),  # Security knows what IT needs (about Security)
}
# Meta-perceptions: a respondent guesses the other side's answer as that side's typical
# answer plus a bias (scale points, favourable direction) and noise. Both sides think the
# other sees things a little worse than it does (GUESS_BIAS); Security is sure IT does not
# trust its judgement (ct10), and IT that security thinks IT brings it in late (ei1), far
# below what the other side answers: rival groups overestimate how negatively the other
# side sees them (Lees & Cikara 2020, Nature Human Behaviour 4, 279-286).
GUESS_BIAS = -0.1
GUESS_BIASES: dict[tuple[str, str], float] = {
    ("ct10", Side.SECURITY): -1.2,
    ("ei1", Side.IT): -0.9,
}
GUESS_SD = 0.8
# The outcome statement ("Overall, IT and security work well together here"): a respondent's
# answer is their side's mean (``DemoRound.outcome``) plus their mood plus, per dimension,
# weight × their own deviation on that dimension (DIMENSION_SD), plus noise. What moves it
# differs by side: for IT, speed versus control and then hand-offs; for Security, early
# involvement and then decision rights (the drivers page).
DRIVER_WEIGHTS: dict[str, dict[str, float]] = {
    Side.IT: {"speed_control": 1.3, "operational_handoffs": 0.5},
    Side.SECURITY: {"early_involvement": 1.5, "decision_rights": 0.6},
}
DIMENSION_SD = 0.4  # a respondent's own view of a dimension, beside their mood
OUTCOME_SD = 0.6
# "Don't know / not applicable": the share of individual contributors who cannot judge a
# statement of these dimensions (incident roles, compliance, budgets, AI rules), halved for
# managers and quartered for executives; any other statement DONT_KNOW_BASE.
DONT_KNOW_SHARES: dict[str, float] = {
    "incident_roles": 0.14,
    "compliance_audit": 0.16,
    "budgets_roadmaps": 0.10,
    "ai_governance": 0.12,
}
DONT_KNOW_BASE = 0.01
DONT_KNOW_BY_LEVEL = {Level.INDIVIDUAL: 1.0, Level.MANAGER: 0.5, Level.EXECUTIVE: 0.25}
# A region shifts a dimension's means (IT, Security) in both rounds: APAC brings security in
# later still; the Americas feel speed versus control least.
REGION_SHIFTS: dict[str, dict[str, tuple[float, float]]] = {
    "APAC": {"early_involvement": (0.2, -0.5), "shared_objectives": (-0.3, -0.3)},
    "Americas": {"speed_control": (0.4, 0.0), "communication_trust": (0.2, 0.2)},
}
REGION_SHARES = {"EMEA": 0.45, "Americas": 0.35, "APAC": 0.20}
REGION_ATTRIBUTE = {
    "name": "region",
    "label": "Region",
    "choices": list(REGION_SHARES),
    # Shown to respondents in these languages; the answer kept is the choice above.
    "translations": {
        "fr": {"label": "Région", "choices": ["EMEA", "Amériques", "APAC"]},
        "de": {"label": "Region", "choices": ["EMEA", "Amerika", "APAC"]},
        "es": {"label": "Región", "choices": ["EMEA", "Américas", "APAC"]},
    },
}
# Shares within a side. Every level, function and region keeps at least 2k respondents of
# IT and of Security where that side has it, in both rounds, so every filter and comparison
# shows figures (the 20-25 "other" respondents are too few to split so; they add to totals).
LEVEL_SHARES: dict[str, dict[str, float]] = {
    Side.IT: {Level.INDIVIDUAL: 0.65, Level.MANAGER: 0.23, Level.EXECUTIVE: 0.12},
    Side.SECURITY: {Level.INDIVIDUAL: 0.65, Level.MANAGER: 0.23, Level.EXECUTIVE: 0.12},
    Side.OTHER: {Level.INDIVIDUAL: 0.8, Level.MANAGER: 0.16, Level.EXECUTIVE: 0.04},
}
FUNCTION_SHARES: dict[str, dict[str, float]] = {
    Side.IT: {
        Function.INFRASTRUCTURE: 0.28,
        Function.APPLICATIONS: 0.30,
        Function.SERVICE_DESK: 0.18,
        Function.ARCHITECTURE: 0.12,
        Function.LEADERSHIP: 0.12,
    },
    Side.SECURITY: {
        Function.SECURITY_OPERATIONS: 0.34,
        Function.GOVERNANCE: 0.22,
        Function.IDENTITY: 0.20,
        Function.ARCHITECTURE: 0.12,
        Function.LEADERSHIP: 0.12,
    },
    Side.OTHER: {Function.OTHER: 1.0},
}
# Share of a side's respondents who comment on a dimension, (IT, Security): most on what
# hurts most. Several dimensions reach FRICTION_COMMENT_MIN_GROUP_SIZE (10) writers on each
# side in the current round, a few stay below it on one side or both.
COMMENT_SHARES: dict[str, tuple[float, float]] = {
    "speed_control": (0.16, 0.15),
    "early_involvement": (0.11, 0.18),
    "shared_objectives": (0.05, 0.06),
    "communication_trust": (0.08, 0.10),
    "incident_roles": (0.04, 0.05),
    "operational_handoffs": (0.09, 0.07),
    "new_technology": (0.12, 0.16),
    "decision_rights": (0.07, 0.11),
    "identity_access": (0.10, 0.06),
    "compliance_audit": (0.04, 0.07),
    "budgets_roadmaps": (0.06, 0.08),
    "ai_governance": (0.09, 0.11),
}
OTHER_COMMENT_SHARE = 0.08
ANSWER_SD = 0.8  # item-level noise around a respondent's mean, in scale points
MOOD_SD = 0.35  # a respondent's general mood, shifting all their answers together
SKIP_RATE = 0.03  # share of Likert items left unanswered


@dataclass(frozen=True)
class DemoRound:
    """One demo round's plan: its slug, respondents and invitations per side, the typical
    respondent's mean item score per dimension and their answer to the outcome statement,
    (IT, Security)."""

    slug: str
    side_counts: dict[str, int]
    invited_extra: dict[str, int]
    means: dict[str, tuple[float, float]]
    outcome: tuple[float, float]
    seed: int


DEMO_ROUNDS = (
    DemoRound(
        slug=DEMO_PREVIOUS_SLUG,
        side_counts={Side.IT: 150, Side.SECURITY: 90, Side.OTHER: 20},
        invited_extra={Side.IT: 70, Side.SECURITY: 30, Side.OTHER: 15},
        means=PREVIOUS_MEANS,
        outcome=PREVIOUS_OUTCOME,
        seed=DEMO_SEED - 1,
    ),
    DemoRound(
        slug=DEMO_SLUG,
        side_counts={Side.IT: 170, Side.SECURITY: 105, Side.OTHER: 25},
        invited_extra={Side.IT: 60, Side.SECURITY: 25, Side.OTHER: 15},
        means=CURRENT_MEANS,
        outcome=CURRENT_OUTCOME,
        seed=DEMO_SEED,
    ),
)


def demo_calendar(*, now: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """``(name, opens_at, closes_at)`` of the previous and the current demo round (aware).

    The current round opened on the latest 1 March or 1 September (09:00 in the demo's
    time zone) at or before ``now`` and closes 60 days after ``now``, so its invitation
    links work; the previous one opened six months earlier and ran four weeks. Names are
    the year and month they opened in, "2026-03" then "2026-09": written the same in every
    language, so a French or German respondent reads no English word in them (a season's
    name such as "Autumn 2026" was left in English on their pages).
    """
    zone = ZoneInfo(DEMO_TIMEZONE)
    local = now.astimezone(zone)
    starts = [
        dt.datetime(year, month, 1, 9, tzinfo=zone)
        for year in (local.year - 1, local.year)
        for month in (3, 9)
    ]
    current = max(start for start in starts if start <= now)
    previous = starts[starts.index(current) - 1]
    return [
        (_opening_name(previous), previous, previous + dt.timedelta(weeks=4)),
        (_opening_name(current), current, now + dt.timedelta(days=60)),
    ]


def _opening_name(opens_at: dt.datetime) -> str:
    return f"{opens_at.year}-{opens_at.month:02d}"


def demo_seeded() -> bool | None:
    """True when both demo rounds hold responses on the newest loaded version of their
    instrument, False when neither slug is taken, None otherwise: an older demo (say one
    seeded on instrument v1 before v2 was loaded), or a round of someone's own under a demo
    slug. ``seed_demo --reset`` replaces the rounds then."""
    rounds = list(SurveyRound.objects.filter(slug__in=DEMO_SLUGS).select_related("instrument"))
    if not rounds:
        return False
    answered = set(
        SurveyRound.objects.filter(slug__in=DEMO_SLUGS, responses__isnull=False)
        .values_list("slug", flat=True)
        .distinct()
    )
    newest = all(instrument_newest(slug=r.instrument.slug).pk == r.instrument.pk for r in rounds)
    return True if answered == set(DEMO_SLUGS) and newest else None


def demo_delete() -> int:
    """Delete the demo rounds with everything in them (one transaction); how many rounds."""
    with transaction.atomic():
        _total, by_model = SurveyRound.objects.filter(slug__in=DEMO_SLUGS).delete()
    return by_model.get(SurveyRound._meta.label, 0)


def demo_seed(*, instrument: Instrument, now: dt.datetime) -> dict[str, int]:
    """Create both demo rounds of ``instrument`` with their respondents and invitations, in
    one transaction; ``{slug: responses created}``, oldest round first.

    Deterministic: the same instrument gives the same answers, profiles and comments (seeded
    generators); only the dates follow ``now`` (:func:`demo_calendar`). Both rounds have
    k = 5 and the ``region`` profile question. Raises django ``ValidationError`` when a
    demo slug is taken (check :func:`demo_seeded` first).
    """
    items = list(
        Item.objects.filter(dimension__instrument=instrument)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    created: dict[str, int] = {}
    with transaction.atomic():
        for plan, (name, opens_at, closes_at) in zip(
            DEMO_ROUNDS, demo_calendar(now=now), strict=True
        ):
            survey_round = round_create(
                instrument=instrument,
                name=name,
                slug=plan.slug,
                opens_at=opens_at,
                closes_at=closes_at,
                timezone=DEMO_TIMEZONE,
                min_group_size=DEMO_MIN_GROUP_SIZE,
                profile_attributes=[REGION_ATTRIBUTE],
            )
            responses, regions = demo_respondents(
                plan=plan,
                items=items,
                points=instrument.scale_points,
                dont_know=dont_know_offered(instrument),
            )
            submitted_on = min(opens_at + dt.timedelta(days=14), now).astimezone(
                ZoneInfo(DEMO_TIMEZONE)
            )
            created[plan.slug] = responses_create_bulk(
                round=survey_round, responses=responses, submitted_on=submitted_on.date()
            )
            _regions_store(survey_round, regions)
            _invitations_used(survey_round, plan)
    return created


def demo_respondents(
    *, plan: DemoRound, items: list[Item], points: int, dont_know: bool = True
) -> tuple[list[dict], list[str]]:
    """The synthetic responses of one demo round, as :func:`responses_create_bulk` takes
    them, and each one's region (same order). Pure: no database access; deterministic for
    ``plan.seed``.

    Per side, levels, functions and regions are dealt out in fixed shares (largest
    remainder), leadership only to managers and executives. A respondent's answer to a
    Likert item is their dimension's mean (``plan.means`` plus the region's shift) plus the
    statement's shift (``ITEM_SHIFTS``) plus their mood (normal, SD 0.35) plus their own
    view of the dimension (normal, SD 0.4) plus noise (normal, SD 0.8), rounded and
    clipped to the scale, reverse coded back for reverse-scored items; 3% are skipped and,
    when ``dont_know`` (the instrument offers it), a share is "don't know"
    (``DONT_KNOW_SHARES`` by level). The outcome statement follows the side's drivers
    (``DRIVER_WEIGHTS``). IT and Security respondents guess the other side's answer to
    each meta-perception statement they answered (the other side's typical answer plus
    ``GUESS_BIAS``/``GUESS_BIASES`` and noise, SD 0.8). A fixed share of each side comments
    on a dimension (``COMMENT_SHARES``), with a text of that dimension and side
    (``demo_comments.yaml``): a critical one when their scored answers lean unfavourable.
    """
    rng = np.random.default_rng(plan.seed)
    # The texts draw from their own stream: which list a text comes from follows the answers,
    # and drawing from lists of other lengths would shift every answer drawn after it.
    text_rng = np.random.default_rng((plan.seed, 1))
    texts = demo_comment_texts()
    dimensions: dict[str, list[Item]] = {}
    for item in items:
        dimensions.setdefault(item.dimension.code, []).append(item)
    responses: list[dict] = []
    regions: list[str] = []
    for side, count in plan.side_counts.items():
        side_regions = _dealt(REGION_SHARES, count, rng)
        levels, functions = _profiles(side, count, rng)
        mood = rng.normal(0, MOOD_SD, size=count)
        unsure = np.array([DONT_KNOW_BY_LEVEL[level] for level in levels])
        answers: list[dict[str, int | str]] = [{} for _ in range(count)]
        guesses: list[dict[str, int]] = [{} for _ in range(count)]
        own_view: dict[str, np.ndarray] = {}
        outcomes: list[Item] = []
        for code, dimension_items in dimensions.items():
            outcomes += [item for item in dimension_items if item.kind == Item.Kind.OUTCOME]
            likert = [item for item in dimension_items if item.kind == Item.Kind.LIKERT]
            if not likert:
                continue
            means = np.array([_mean(plan.means, code, side, region) for region in side_regions])
            own_view[code] = rng.normal(0, DIMENSION_SD, size=count)
            shifts = np.array([_shift(item.code, side) for item in likert])
            noise = rng.normal(0, ANSWER_SD, size=(count, len(likert)))
            centre = means[:, None] + shifts[None, :] + (mood + own_view[code])[:, None]
            scores = np.clip(np.rint(centre + noise), 1, points)
            skipped = rng.random(size=scores.shape) < SKIP_RATE
            unknown = rng.random(size=scores.shape) < _dont_know_share(code) * unsure[:, None]
            unknown &= ~skipped & dont_know
            scored = ~skipped & ~unknown
            for column, item in enumerate(likert):
                for row in np.flatnonzero(unknown[:, column]):
                    answers[row][item.code] = DONT_KNOW
                for row in np.flatnonzero(scored[:, column]):
                    score = int(scores[row, column])
                    answers[row][item.code] = points + 1 - score if item.reverse_scored else score
                if item.meta_perception and side != Side.OTHER:
                    _guesses_add(
                        guesses, item, side, side_regions, scored[:, column], plan, rng, points
                    )
            comment_items = [item for item in dimension_items if item.kind == Item.Kind.TEXT]
            options = texts.get(code, {}).get(str(side))
            if not comment_items or not options:
                continue
            writers = rng.choice(count, size=_comment_count(code, side, count), replace=False)
            for row in sorted(writers):
                chosen = options
                if isinstance(options, dict):
                    answered = scores[row][scored[row]]
                    favourable = answered.size > 0 and answered.mean() >= (points + 1) / 2
                    chosen = options["positive" if favourable else "critical"]
                answers[row][comment_items[0].code] = str(text_rng.choice(chosen))
        for item in outcomes:
            overall = _outcome_mean(plan, side) + mood + rng.normal(0, OUTCOME_SD, size=count)
            for code, weight in DRIVER_WEIGHTS.get(side, {}).items():
                overall += weight * own_view.get(code, 0.0)
            for row, score in enumerate(np.clip(np.rint(overall), 1, points)):
                answers[row][item.code] = int(score)
        responses.extend(
            {
                "side": str(side),
                "function": function,
                "level": level,
                "answers": answer,
                **({"predicted_other": guess} if guess else {}),
            }
            for function, level, answer, guess in zip(
                functions, levels, answers, guesses, strict=True
            )
        )
        regions.extend(side_regions)
    return responses, regions


def _guesses_add(
    guesses: list[dict[str, int]],
    item: Item,
    side: str,
    side_regions: list[str],
    answered: np.ndarray,
    plan: DemoRound,
    rng: np.random.Generator,
    points: int,
) -> None:
    """Each respondent's guess of the other side's answer to ``item``, for the respondents
    who answered it: the other side's typical answer in their region plus the bias."""
    other = Side.SECURITY if side == Side.IT else Side.IT
    code = item.dimension.code
    typical = np.array(
        [_mean(plan.means, code, other, region) for region in side_regions]
    ) + _shift(item.code, other)
    bias = GUESS_BIASES.get((item.code, side), GUESS_BIAS)
    guessed = np.clip(
        np.rint(typical + bias + rng.normal(0, GUESS_SD, size=len(typical))), 1, points
    )
    for row in np.flatnonzero(answered):
        score = int(guessed[row])
        guesses[row][item.code] = points + 1 - score if item.reverse_scored else score


@cache
def demo_comment_texts() -> dict[str, dict[str, dict[str, list[str]] | list[str]]]:
    """The demo's comment texts: ``{dimension code: {side: {"critical"|"positive": [text]}}}``,
    the side ``other`` a plain list (``survey/demo_comments.yaml``)."""
    return yaml.safe_load(COMMENTS_PATH.read_text(encoding="utf-8"))


def _mean(means: dict[str, tuple[float, float]], code: str, side: str, region: str) -> float:
    base = means.get(code, NEUTRAL_MEANS)
    shift = REGION_SHIFTS.get(region, {}).get(code, (0.0, 0.0))
    it, security = base[0] + shift[0], base[1] + shift[1]
    if side == Side.IT:
        return it
    return security if side == Side.SECURITY else (it + security) / 2


def _shift(item_code: str, side: str) -> float:
    shift = ITEM_SHIFTS.get(item_code, (0.0, 0.0))
    if side == Side.IT:
        return shift[0]
    return shift[1] if side == Side.SECURITY else 0.0


def _outcome_mean(plan: DemoRound, side: str) -> float:
    it, security = plan.outcome
    if side == Side.IT:
        return it
    return security if side == Side.SECURITY else (it + security) / 2


def _dont_know_share(code: str) -> float:
    return DONT_KNOW_SHARES.get(code, DONT_KNOW_BASE)


def _comment_count(code: str, side: str, count: int) -> int:
    if side == Side.OTHER:
        share = OTHER_COMMENT_SHARE
    else:
        share = COMMENT_SHARES.get(code, (0.0, 0.0))[0 if side == Side.IT else 1]
    return round(share * count)


def _quota(shares: dict[str, float], count: int) -> dict[str, int]:
    """``count`` split in ``shares`` by largest remainder (the counts add up to ``count``)."""
    exact = {key: share * count / sum(shares.values()) for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: count - sum(counts.values())]:
        counts[key] += 1
    return counts


def _dealt(shares: dict[str, float], count: int, rng: np.random.Generator) -> list[str]:
    """``count`` values in the proportions of ``shares`` (:func:`_quota`), shuffled."""
    values = [str(key) for key, n in _quota(shares, count).items() for _ in range(n)]
    return [values[i] for i in rng.permutation(len(values))]


def _profiles(side: str, count: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Levels and functions of a side's respondents; leadership goes to managers and
    executives only."""
    levels = _dealt(LEVEL_SHARES[side], count, rng)
    quota = _quota(FUNCTION_SHARES[side], count)
    leaders = quota.pop(Function.LEADERSHIP, 0)
    senior = np.flatnonzero([level != Level.INDIVIDUAL for level in levels])
    leader_rows = set(rng.choice(senior, size=leaders, replace=False).tolist())
    rest = iter(_dealt(quota, count - leaders, rng))
    functions = [
        str(Function.LEADERSHIP) if row in leader_rows else next(rest) for row in range(count)
    ]
    return levels, functions


def _regions_store(survey_round: SurveyRound, regions: list[str]) -> None:
    """Give the round's responses their regions, in the order they were created: one UPDATE
    per region (the caller's transaction; one bulk insert numbers the responses in order)."""
    pks = list(
        Response.objects.filter(round=survey_round).order_by("pk").values_list("pk", flat=True)
    )
    for region in REGION_SHARES:
        chosen = [pk for pk, value in zip(pks, regions, strict=True) if value == region]
        Response.objects.filter(pk__in=chosen).update(attributes={"region": region})


def _invitations_used(survey_round: SurveyRound, plan: DemoRound) -> None:
    """The invitations behind the round's responses, used, and some never answered."""
    for side, count in plan.side_counts.items():
        invitations_issue(round=survey_round, count=count + plan.invited_extra[side], side=side)
        used = Invitation.objects.filter(round=survey_round, side=side).values_list(
            "pk", flat=True
        )[:count]
        Invitation.objects.filter(pk__in=list(used)).update(used=True)
