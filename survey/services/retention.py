"""Retention: what is kept only for a while goes on time, and one person's address on request.

Unsubmitted drafts go when their round closes; invitee addresses and the round's audit
entries ``settings.RETENTION_DAYS`` days after it closed; audit entries of no round (sign-ins)
that many days after they were written. An invitation keeps what the participation counts
read (side, function, level, used, emails sent): only its address goes, so counts and
response rates stay as they were. Each round is purged in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from audit.models import Entry
from audit.services import Actor, entry_record
from survey.models import Draft, Invitation, SurveyRound


@dataclass(frozen=True)
class PurgeReport:
    """What :func:`expired_purge` removed (or would remove, ``dry_run``): ``drafts``
    deleted, invitee ``addresses`` blanked, audit ``entries`` deleted, in ``rounds``
    rounds (with entries of no round counted in ``entries``); ``days``: the retention."""

    days: int
    rounds: int
    drafts: int
    addresses: int
    entries: int
    dry_run: bool


def expired_purge(
    *,
    now: dt.datetime | None = None,
    days: int | None = None,
    dry_run: bool = False,
    by: Actor = None,
) -> PurgeReport:
    """Remove what has outlived its round, as of ``now`` (default: now).

    For every round closed by ``now``, in one transaction with the round locked (a round
    reopened meanwhile is skipped): its drafts; once it closed ``days`` (default
    ``settings.RETENTION_DAYS``) or more days ago, also the addresses of its invitations
    (set to "") and its audit entries older than ``days``. Then the audit entries of no
    round older than ``days``. A round that lost addresses or drafts gets an entry saying
    how many, made by ``by``. ``dry_run`` counts and changes nothing. Running it again
    removes nothing more.
    """
    now = now or timezone.now()
    days = settings.RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=days)
    totals = {"rounds": 0, "drafts": 0, "addresses": 0, "entries": 0}
    closed = SurveyRound.objects.filter(closes_at__lte=now).order_by("closes_at", "pk")
    for round_id in closed.values_list("pk", flat=True):
        with transaction.atomic():
            survey_round = (
                SurveyRound.objects.select_for_update().filter(pk=round_id, closes_at__lte=now)
            ).first()
            if survey_round is None:
                continue
            counts = _round_purge(survey_round, cutoff=cutoff, dry_run=dry_run)
            if not dry_run and (counts["drafts"] or counts["addresses"]):
                entry_record(
                    action=Entry.Action.EXPIRED_PURGED,
                    by=by,
                    round=survey_round,
                    subject=f"{days} days",
                    detail=counts,
                )
        if any(counts.values()):
            totals["rounds"] += 1
            for name, count in counts.items():
                totals[name] += count
    with transaction.atomic():
        roundless = Entry.objects.filter(round__isnull=True, at__lte=cutoff)
        totals["entries"] += roundless.count() if dry_run else roundless.delete()[0]
    return PurgeReport(days=days, dry_run=dry_run, **totals)


def _round_purge(survey_round: SurveyRound, *, cutoff: dt.datetime, dry_run: bool) -> dict:
    """Purge one closed round (inside the caller's transaction): its drafts, and once it
    closed by ``cutoff`` its addresses and entries older than ``cutoff``. Returns counts."""
    drafts = Draft.objects.filter(round=survey_round)
    expired = survey_round.closes_at <= cutoff
    addresses = Invitation.objects.filter(round=survey_round).exclude(email="")
    entries = Entry.objects.filter(round=survey_round, at__lte=cutoff)
    if dry_run:
        return {
            "drafts": drafts.count(),
            "addresses": addresses.count() if expired else 0,
            "entries": entries.count() if expired else 0,
        }
    return {
        "drafts": drafts.delete()[0],
        "addresses": addresses.update(email="") if expired else 0,
        "entries": entries.delete()[0] if expired else 0,
    }


def invitee_erase(*, email: str, round: SurveyRound | None = None, by: Actor = None) -> int:
    """Erase the address ``email`` (any case) from the invitations of ``round``, or of every
    round, on its owner's request: the invitations stay (used, side, level, emails sent),
    so every count does; no further email can reach that person. Each round affected gets
    an audit entry saying how many addresses went, never which. One transaction. Returns
    the number of invitations changed (0 when none held it).

    Raises ValueError for an empty address.
    """
    address = (email or "").strip()
    if not address:
        raise ValueError("Give the e-mail address to erase.")
    with transaction.atomic():
        invitations = Invitation.objects.filter(email__iexact=address)
        if round is not None:
            invitations = invitations.filter(round=round)
        per_round = dict(
            invitations.order_by()
            .values("round_id")
            .annotate(n=Count("pk"))
            .values_list("round_id", "n")
        )
        erased = invitations.update(email="")
        for survey_round in SurveyRound.objects.filter(pk__in=per_round).order_by("pk"):
            entry_record(
                action=Entry.Action.ADDRESSES_ERASED,
                by=by,
                round=survey_round,
                subject="on request",
                detail={"addresses": per_round[survey_round.pk]},
            )
    return erased
