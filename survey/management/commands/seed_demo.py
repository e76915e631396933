"""Create the demo round: about 300 synthetic respondents whose answers show believable friction.

The round declares a ``region`` profile question; every demo respondent has a region, each
region well over the anonymity threshold, so the dashboard can compare regions out of the box.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.models import Instrument, Item
from survey.models import Function, Invitation, Level, Response, Side, SurveyRound
from survey.services.invitations import invitation_url, invitations_issue
from survey.services.responses import responses_create_bulk
from survey.services.rounds import round_create

DEMO_SLUG = "demo"
DEMO_SEED = 20261130

# How favourably each side sees each dimension, as the mean item score (1..5, after reverse
# coding) of a typical respondent. IT finds security reviews slow and imposed; security feels
# brought in too late; both agree on incident roles; AI adoption is contested by both.
DIMENSION_MEANS: dict[str, tuple[float, float]] = {
    "speed_control": (2.3, 3.7),
    "early_involvement": (3.8, 2.2),
    "shared_objectives": (3.2, 2.7),
    "communication_trust": (3.1, 2.85),
    "incident_roles": (3.9, 3.8),
    "operational_handoffs": (2.9, 2.5),
    "new_technology": (2.6, 2.4),
}
NEUTRAL_MEANS = (3.3, 3.1)
# Share of each side's respondents per region, and how a region shifts a dimension's means
# (IT, Security): APAC brings security in later still; the Americas feel speed-control least.
REGIONS = {"EMEA": 0.45, "Americas": 0.35, "APAC": 0.20}
REGION_SHIFTS: dict[str, dict[str, tuple[float, float]]] = {
    "APAC": {"early_involvement": (0.2, -0.5), "shared_objectives": (-0.3, -0.3)},
    "Americas": {"speed_control": (0.4, 0.0), "communication_trust": (0.2, 0.2)},
}
REGION_ATTRIBUTE = {"name": "region", "label": "Region", "choices": list(REGIONS)}
SIDE_COUNTS = {Side.IT: 170, Side.SECURITY: 105, Side.OTHER: 25}
INVITED_EXTRA = {Side.IT: 60, Side.SECURITY: 25, Side.OTHER: 15}
FUNCTIONS = {
    Side.IT: [
        Function.INFRASTRUCTURE,
        Function.APPLICATIONS,
        Function.SERVICE_DESK,
        Function.ARCHITECTURE,
        Function.LEADERSHIP,
    ],
    Side.SECURITY: [
        Function.SECURITY_OPERATIONS,
        Function.GOVERNANCE,
        Function.IDENTITY,
        Function.ARCHITECTURE,
        Function.LEADERSHIP,
    ],
    Side.OTHER: [Function.OTHER],
}
LEVEL_WEIGHTS = {Level.INDIVIDUAL: 0.7, Level.MANAGER: 0.22, Level.EXECUTIVE: 0.08}
COMMENTS = {
    Side.IT: [
        "Security reviews add weeks to every release, and nobody tells us why.",
        "We find out about new controls when the change is blocked.",
        "The incident runbook is clear and we practise it together.",
        "Patching windows are agreed, but the exceptions process is slow.",
    ],
    Side.SECURITY: [
        "We are asked to sign off designs that are already built.",
        "Projects reach us a week before go-live.",
        "Incident roles are clear; we rehearse them every quarter.",
        "Shadow AI tools appear before we can assess them.",
    ],
    Side.OTHER: ["Both teams are helpful, but they speak different languages."],
}


class Command(BaseCommand):
    help = "Create the demo round with about 300 synthetic responses (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--instrument", default="it-security-collaboration")

    def handle(self, *args, **options):
        instrument = (
            Instrument.objects.filter(slug=options["instrument"]).order_by("-loaded_at").first()
        )
        if instrument is None:
            raise CommandError(
                f"Instrument {options['instrument']!r} is not loaded: run load_instrument first."
            )
        demo = SurveyRound.objects.filter(slug=DEMO_SLUG).first()
        if demo is not None and demo.responses.exists():
            self.stdout.write(f"Demo round {DEMO_SLUG!r} already has responses; not seeded again.")
            if self._regions_add(demo):
                self.stdout.write("Its responses now have a region, to compare on the dashboard.")
        else:
            with transaction.atomic():
                demo = demo or round_create(
                    instrument=instrument,
                    name="Demo: IT and Security collaboration, autumn",
                    slug=DEMO_SLUG,
                    opens_at=timezone.now() - dt.timedelta(days=14),
                    closes_at=timezone.now() + dt.timedelta(days=60),
                    timezone="Europe/London",
                    min_group_size=5,
                    profile_attributes=[REGION_ATTRIBUTE],
                )
                self._regions_add(demo)  # a demo round left empty before regions existed
                created = self._seed(demo)
            self.stdout.write(f"Demo round {DEMO_SLUG!r}: {created} synthetic responses created.")
        token = invitations_issue(round=demo, count=1)[0]
        self.stdout.write(f"Answer the demo survey yourself: {invitation_url(token=token)}")

    def _seed(self, demo: SurveyRound) -> int:
        rng = np.random.default_rng(DEMO_SEED)
        items = list(
            Item.objects.filter(dimension__instrument=demo.instrument)
            .select_related("dimension")
            .order_by("dimension__order", "order")
        )
        points = demo.instrument.scale_points
        responses = []
        regions: list[str] = []
        for side, count in SIDE_COUNTS.items():
            side_index = 1 if side == Side.SECURITY else 0
            side_regions = _regions_for(count, np.random.default_rng([DEMO_SEED, len(regions)]))
            for region in side_regions:
                # A respondent's general mood shifts all their dimensions together.
                mood = rng.normal(0, 0.35)
                answers: dict[str, int | str] = {}
                for item in items:
                    means = DIMENSION_MEANS.get(item.dimension.code, NEUTRAL_MEANS)
                    shift = REGION_SHIFTS.get(region, {}).get(item.dimension.code, (0.0, 0.0))
                    means = (means[0] + shift[0], means[1] + shift[1])
                    mean = means[side_index] if side != Side.OTHER else sum(means) / 2
                    if item.kind == Item.Kind.TEXT:
                        if rng.random() < 0.12:
                            answers[item.code] = str(rng.choice(COMMENTS[side]))
                        continue
                    if rng.random() < 0.03:
                        continue  # a skipped item
                    score = int(np.clip(np.rint(rng.normal(mean + mood, 0.8)), 1, points))
                    answers[item.code] = points + 1 - score if item.reverse_scored else score
                responses.append(
                    {
                        "side": side,
                        "function": str(rng.choice(FUNCTIONS[side])),
                        "level": str(
                            rng.choice(list(LEVEL_WEIGHTS), p=list(LEVEL_WEIGHTS.values()))
                        ),
                        "answers": answers,
                    }
                )
            regions.extend(side_regions)
        created = responses_create_bulk(round=demo, responses=responses)
        # One bulk insert numbers the responses in the order given.
        pks = Response.objects.filter(round=demo).order_by("pk").values_list("pk", flat=True)
        _regions_store(dict(zip(pks, regions, strict=True)))
        # The invitations behind those responses: used ones, and some never answered.
        for side, count in SIDE_COUNTS.items():
            invitations_issue(round=demo, count=count + INVITED_EXTRA[side], side=side)
            used_ids = Invitation.objects.filter(round=demo, side=side).values_list(
                "pk", flat=True
            )[:count]
            Invitation.objects.filter(pk__in=list(used_ids)).update(used=True)
        return created

    def _regions_add(self, demo: SurveyRound) -> bool:
        """Give a demo round seeded before regions existed its region question and answers."""
        if any(entry["name"] == "region" for entry in demo.profile_attributes or []):
            return False
        with transaction.atomic():
            attributes = [*(demo.profile_attributes or []), REGION_ATTRIBUTE]
            SurveyRound.objects.filter(pk=demo.pk).update(profile_attributes=attributes)
            pks = list(
                Response.objects.filter(round=demo, attributes={})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            regions = _regions_for(len(pks), np.random.default_rng(DEMO_SEED))
            _regions_store(dict(zip(pks, regions, strict=True)))
        return True


def _regions_for(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` regions in the shares of REGIONS (rounded; the rest go to the first), shuffled."""
    counts = {region: round(count * share) for region, share in REGIONS.items()}
    first = next(iter(REGIONS))
    counts[first] += count - sum(counts.values())
    regions = [region for region, n in counts.items() for _ in range(n)]
    return [str(region) for region in rng.permutation(regions)]


def _regions_store(region_of: dict[int, str]) -> None:
    """Set each response's region: one UPDATE per region (the caller's transaction)."""
    for region in REGIONS:
        pks = [pk for pk, value in region_of.items() if value == region]
        Response.objects.filter(pk__in=pks).update(attributes={"region": region})
