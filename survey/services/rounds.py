"""Round writes: creating a round, opening, closing and extending it, saving its settings,
its profile questions, deleting it, emptying the drafts of closed rounds; its creation,
deletion and every change of its threshold k, dates or profile questions recorded in the
audit trail (``audit.models.Entry``) in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone as dj_timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assessment import selectors as assessment_selectors
from assessment.models import Instrument, Item
from audit.models import Entry
from audit.services import Actor, entries_record, entry_new, entry_record
from survey.attributes import profile_attributes_problems, profile_attributes_removed
from survey.models import RESERVED_ROUND_SLUGS, Draft, Response, SurveyRound, language_codes
from survey.zones import UTC, aware_in_zone, round_zone, zone_or_none

SLUG_MAX_LENGTH = SurveyRound._meta.get_field("slug").max_length


class RoundNotOpenError(Exception):
    """The round is not open now: it has not opened yet or it has closed."""


def _unique_slug(base: str) -> str:
    base = base[: SLUG_MAX_LENGTH - 6].strip("-") or "round"
    taken = set(SurveyRound.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_ROUND_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def instrument_newest(*, slug: str | None = None) -> Instrument | None:
    """The instrument a new round uses by default: the highest version of ``slug``
    (:func:`assessment.selectors.instrument_newest`); without a slug, of the slug of the
    instrument loaded last. Reloading an older version does not make it the default. None
    when none is loaded."""
    if slug is None:
        slug = (
            Instrument.objects.order_by("-loaded_at", "-pk").values_list("slug", flat=True).first()
        )
        if slug is None:
            return None
    return assessment_selectors.instrument_newest(slug=slug)


def round_create(
    *,
    instrument: Instrument,
    name: str,
    slug: str | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    timezone: str = "UTC",
    min_group_size: int = 5,
    profile_attributes: list[dict[str, Any]] | None = None,
    by: Actor = None,
) -> SurveyRound:
    """Create and return a survey round of ``instrument``, its creation recorded in the
    audit trail as made by ``by`` (an account, "command line (…)", None for the system).

    ``timezone`` is an IANA name; naive ``opens_at``/``closes_at`` are wall-clock times in that
    zone (:func:`survey.zones.aware_in_zone`: a time the clocks skip is refused); ``opens_at``
    defaults to now. ``min_group_size`` (k, respondents) must be at least
    ``settings.FRICTION_MIN_GROUP_SIZE_FLOOR``. Without ``slug`` one is made from the name,
    with a numeric suffix if taken; a given slug must be free. ``profile_attributes`` declares
    extra profile questions, ``[{"name", "label", "choices"}]`` (checked by
    :func:`survey.attributes.profile_attributes_problems`).

    Raises django ``ValidationError`` (a dict keyed by field) naming every problem found.
    """
    errors: dict[str, Any] = {}
    profile_attributes = profile_attributes or []
    attribute_problems = profile_attributes_problems(
        profile_attributes, languages=language_codes()
    ) or _attributes_named_like_items(instrument, profile_attributes)
    if attribute_problems:
        errors["profile_attributes"] = attribute_problems
    name = (name or "").strip()
    if not name:
        errors["name"] = _("A round needs a name.")

    zone = zone_or_none(timezone)
    if zone is None:
        errors["timezone"] = _(
            "Unknown time zone %(tz)r: use an IANA name such as Europe/Paris."
        ) % {"tz": timezone}
        zone = UTC

    floor = settings.FRICTION_MIN_GROUP_SIZE_FLOOR
    if (
        not isinstance(min_group_size, int)
        or isinstance(min_group_size, bool)
        or min_group_size < floor
    ):
        errors["min_group_size"] = _(
            "The minimum group size must be a whole number of at least %(floor)d, "
            "so that small groups stay anonymous (got %(k)r)."
        ) % {"floor": floor, "k": min_group_size}

    def in_zone(field: str, value: dt.datetime) -> dt.datetime | None:
        # A time the clocks skip is a problem of its field, reported with the others.
        try:
            return aware_in_zone(value, zone)
        except ValidationError as exc:
            errors[field] = exc.messages
            return None

    opens_at = in_zone("opens_at", opens_at) if opens_at is not None else dj_timezone.now()
    closes_at = in_zone("closes_at", closes_at) if closes_at is not None else None
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("A round must close after it opens.")

    if slug:
        slug = slug.strip()
        try:
            validate_slug(slug)
        except ValidationError:
            errors["slug"] = _(
                "The slug %(slug)r may only hold letters, digits, hyphens and underscores."
            ) % {"slug": slug}
        else:
            if len(slug) > SLUG_MAX_LENGTH:
                errors["slug"] = _("The slug is longer than %(n)d characters.") % {
                    "n": SLUG_MAX_LENGTH
                }
            elif SurveyRound.objects.filter(slug=slug).exists():
                errors["slug"] = _("A round with the slug %(slug)r already exists.") % {
                    "slug": slug
                }
    elif name:
        slug = _unique_slug(slugify(name))

    if errors:
        raise ValidationError(errors)

    survey_round = SurveyRound(
        instrument=instrument,
        name=name,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        timezone=timezone,
        min_group_size=min_group_size,
        profile_attributes=profile_attributes,
    )
    survey_round.full_clean()
    try:
        with transaction.atomic():
            survey_round.save()
            _created_record(survey_round, by)
    except IntegrityError as exc:  # a concurrent round took the slug in between
        raise ValidationError({"slug": _("A round with this slug already exists.")}) from exc
    return survey_round


def _attributes_named_like_items(
    instrument: Instrument | None, profile_attributes: list[dict[str, Any]] | None
) -> list[str]:
    """A declared attribute may not share its name with an item of the round's instrument:
    an import or a responses export of the round would have two columns of that name."""
    if instrument is None or not profile_attributes:
        return []
    names = {entry.get("name") for entry in profile_attributes if isinstance(entry, dict)}
    codes = set(
        Item.objects.filter(dimension__instrument=instrument, code__in=names).values_list(
            "code", flat=True
        )
    )
    return [
        f"{code!r} is an item code of the instrument; name the attribute otherwise."
        for code in sorted(codes)
    ]


def round_profile_attributes_problems(*, round: SurveyRound, profile_attributes: Any) -> list[str]:
    """Every reason ``round`` cannot declare ``profile_attributes`` instead of its own.

    Malformed declarations (see :func:`survey.attributes.profile_attributes_problems`), and
    once responses hold an attribute: removing it, or removing one of its choices that a
    response holds. Adding attributes or choices and changing labels are always allowed.
    """
    problems = profile_attributes_problems(profile_attributes, languages=language_codes())
    if not problems and round.instrument_id is not None:
        problems = _attributes_named_like_items(round.instrument, profile_attributes)
    if problems or round.pk is None:
        return problems
    stored = (
        SurveyRound.objects.filter(pk=round.pk).values_list("profile_attributes", flat=True).first()
    )
    responses = Response.objects.filter(round=round)
    for name, choices in profile_attributes_removed(stored, profile_attributes).items():
        if choices is None:
            if responses.filter(attributes__has_key=name).exists():
                problems.append(
                    f"{name!r} cannot be removed: responses of this round hold an answer to it."
                )
            continue
        held = set(
            responses.annotate(_value=KeyTransform(name, "attributes"))
            .filter(_value__in=choices)
            .values_list("_value", flat=True)
            .distinct()
        )
        if held:
            shown = ", ".join(repr(choice) for choice in choices if choice in held)
            problems.append(
                f"{name!r}: {shown} cannot be removed from the choices: responses of this "
                "round hold it."
            )
    return problems


# The settings whose every change is recorded: the threshold k, the dates and the profile
# questions (issue 13's RoundChange, folded into the audit trail by issue 16).
TRACKED_FIELDS = ["min_group_size", "opens_at", "closes_at", "profile_attributes"]


def _tracked_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _changes_record(*, before: dict[str, Any], after: SurveyRound, by: Actor) -> list[Entry]:
    """Record one audit entry per tracked field (k, opening, closing, profile questions)
    whose value differs between ``before`` ({field: value}) and ``after``: the field, and
    the values as text before and after; call inside the write's transaction."""
    # Compared as recorded (datetimes to the second): a form that drops microseconds
    # changes nothing anyone set.
    pairs = [
        (name, _tracked_text(before[name]), _tracked_text(getattr(after, name)))
        for name in TRACKED_FIELDS
    ]
    return entries_record(
        entry_new(
            action=Entry.Action.ROUND_CHANGED,
            by=by,
            round=after,
            subject=name,
            detail={"from": old, "to": new},
        )
        for name, old, new in pairs
        if old != new
    )


def _created_record(survey_round: SurveyRound, by: Actor) -> Entry:
    """Record the creation of ``survey_round`` with its tracked settings."""
    return entry_record(
        action=Entry.Action.ROUND_CREATED,
        by=by,
        round=survey_round,
        detail={name: _tracked_text(getattr(survey_round, name)) for name in TRACKED_FIELDS},
    )


def _tracked(survey_round: SurveyRound) -> dict[str, Any]:
    return {name: getattr(survey_round, name) for name in TRACKED_FIELDS}


def round_settings_save(*, round: SurveyRound, by: Actor = None) -> SurveyRound:
    """Save ``round`` as edited (the admin's form), recording its creation, or each change of
    its threshold k, dates or profile questions, with who made it, in one transaction.

    The stored row is locked first; once the round has responses, a k lower than the stored
    one (ValidationError keyed ``min_group_size``) and another instrument (keyed
    ``instrument``) are refused, whatever path got here.
    """
    with transaction.atomic():
        if round.pk is None:
            round.full_clean()
            round.save()
            _created_record(round, by)
            return round
        stored = SurveyRound.objects.select_for_update().get(pk=round.pk)
        answered = Response.objects.filter(round_id=round.pk).exists()
        if answered and round.instrument_id != stored.instrument_id:
            raise ValidationError(
                {"instrument": _("This round has responses, so its instrument cannot change.")}
            )
        if answered and round.min_group_size < stored.min_group_size:
            raise ValidationError(
                {
                    "min_group_size": _(
                        "This round has responses, so its threshold k can be raised but never "
                        "lowered (it is %(k)s)."
                    )
                    % {"k": stored.min_group_size}
                }
            )
        round.save()
        _changes_record(before=_tracked(stored), after=round, by=by)
    return round


def round_open(
    *,
    round: SurveyRound,
    closes_at: dt.datetime | None = None,
    by: Actor = None,
) -> SurveyRound:
    """Open ``round`` now: an opening time in the future becomes now; a round that had closed
    reopens, until ``closes_at`` when given (naive = the round's time zone) or until closed.

    ``by``: who asked (recorded with the change). Raises django ``ValidationError`` when the
    round is open already or ``closes_at`` is not in the future.
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        before = _tracked(survey_round)
        if survey_round.is_open(now):
            raise ValidationError(_("This round is open already."))
        if closes_at is not None:
            closes_at = aware_in_zone(closes_at, round_zone(survey_round))
            if closes_at <= now:
                raise ValidationError({"closes_at": _("The new closing time has passed.")})
        elif survey_round.closes_at is not None and survey_round.closes_at <= now:
            closes_at = None
        else:
            closes_at = survey_round.closes_at
        survey_round.opens_at = min(survey_round.opens_at, now)
        survey_round.closes_at = closes_at
        survey_round.save(update_fields=["opens_at", "closes_at"])
        _changes_record(before=before, after=survey_round, by=by)
    _round_refresh(round, survey_round)
    return round


def round_close(*, round: SurveyRound, by: Actor = None) -> SurveyRound:
    """Close ``round`` now: its links say the survey has closed, no reminder goes out, and
    the drafts of those who had not submitted are emptied (:func:`drafts_purge`).

    ``by``: who asked (recorded with the change). Raises django ``ValidationError`` when the
    round is not open (not opened yet or closed).
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        before = _tracked(survey_round)
        if not survey_round.is_open(now):
            raise ValidationError(_("Only an open round can be closed."))
        survey_round.closes_at = now
        survey_round.save(update_fields=["closes_at"])
        _changes_record(before=before, after=survey_round, by=by)
        drafts_purge(round=survey_round)
    _round_refresh(round, survey_round)
    return round


def round_extend(*, round: SurveyRound, closes_at: dt.datetime, by: Actor = None) -> SurveyRound:
    """Move the closing time of ``round`` to ``closes_at`` (naive = wall clock in the round's
    time zone), which must be in the future and after the opening; a closed round reopens.

    ``by``: who asked (recorded with the change). Raises django ``ValidationError`` (keyed
    ``closes_at``) for a time that has passed or is not after the opening.
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        before = _tracked(survey_round)
        closes_at = aware_in_zone(closes_at, round_zone(survey_round))
        if closes_at <= now:
            raise ValidationError({"closes_at": _("The new closing time has passed.")})
        if closes_at <= survey_round.opens_at:
            raise ValidationError({"closes_at": _("A round must close after it opens.")})
        survey_round.closes_at = closes_at
        survey_round.save(update_fields=["closes_at"])
        _changes_record(before=before, after=survey_round, by=by)
    _round_refresh(round, survey_round)
    return round


def round_delete(*, round: SurveyRound, by: Actor = None) -> dict[str, int]:
    """Delete ``round`` with everything it holds (invitations, drafts, imported files,
    responses and their answers), recording who did it and how many responses and
    invitations went, in one transaction. Returns those counts: {"responses",
    "invitations"}. The round's audit entries stay, under its name."""
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        counts = {
            "responses": survey_round.responses.count(),
            "invitations": survey_round.invitations.count(),
        }
        name = survey_round.name
        survey_round.delete()
        entry_record(action=Entry.Action.ROUND_DELETED, by=by, round_name=name, detail=counts)
    return counts


def _round_refresh(target: SurveyRound, source: SurveyRound) -> None:
    target.opens_at = source.opens_at
    target.closes_at = source.closes_at


def drafts_purge(*, round: SurveyRound | None = None, now: dt.datetime | None = None) -> int:
    """Delete the unsubmitted drafts of ``round``, or of every round closed by ``now``
    (default: now): what a respondent typed is kept only while the round is open. One
    DELETE; returns how many drafts went."""
    drafts = Draft.objects.all()
    if round is not None:
        drafts = drafts.filter(round_id=round.pk)
    else:
        drafts = drafts.filter(round__closes_at__lte=now or dj_timezone.now())
    deleted, _by_model = drafts.delete()
    return deleted
