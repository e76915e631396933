"""Survey writes: rounds, invitations, respondents' drafts and submitted responses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from assessment.models import Instrument, Item
from survey.attributes import (
    attribute_values_clean,
    profile_attributes_problems,
    profile_attributes_removed,
)
from survey.emails import (
    INVITATION,
    REMINDER,
    email_render,
    email_subject_render,
    round_email_templates,
)
from survey.import_mapping import ColumnMapping
from survey.importing import Column, ImportSchema, ParsedRow, table_parse
from survey.invitees import InviteeListError
from survey.models import (
    RESERVED_ROUND_SLUGS,
    Answer,
    Function,
    ImportBatch,
    Invitation,
    Level,
    Response,
    Side,
    SurveyRound,
)
from survey.tables import ImportFileError, Problem, problems_message, table_read
from survey.tokens import token_create, token_hash
from survey.zones import UTC, aware_in_zone, local_time_text, round_today, round_zone, zone_or_none

MAX_INVITATIONS_PER_BATCH = 10_000
COMMENT_MAX_LENGTH = 2000
SLUG_MAX_LENGTH = SurveyRound._meta.get_field("slug").max_length

# Keys of Invitation.draft: {"profile": {side, function, level}, "answers": {code: v}, "page": n}
DRAFT_PROFILE = "profile"
DRAFT_ANSWERS = "answers"
DRAFT_PAGE = "page"
# Inside the draft's profile: {attribute name: choice} for the round's declared questions.
DRAFT_ATTRIBUTES = "attributes"


class RoundNotOpenError(Exception):
    """The round is not open now: it has not opened yet or it has closed."""


class DraftIncompleteError(ValueError):
    """The draft cannot be submitted yet (no profile, so no side to count it under)."""


@dataclass(frozen=True)
class _ItemInfo:
    pk: int
    kind: str


# --- rounds -------------------------------------------------------------------------------


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
) -> SurveyRound:
    """Create and return a survey round of ``instrument``.

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
        profile_attributes
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
    problems = profile_attributes_problems(profile_attributes)
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


# --- invitations --------------------------------------------------------------------------


def _choice_check(value: Any, choices: type, label: str, *, required: bool = False) -> str:
    """Return ``value`` if it is one of ``choices`` (or blank when allowed), else ValueError."""
    if value in ("", None) and not required:
        return ""
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValueError(f"Unknown {label} {value!r}: expected one of {allowed}.")
    return str(value)


def invitations_issue(
    *,
    round: SurveyRound,
    count: int,
    side: str = "",
    function: str = "",
    level: str = "",
) -> list[str]:
    """Create ``count`` (1..10000) single-use invitations to ``round`` and return their plain
    tokens, in one transaction with one bulk insert. Only SHA-256 hashes are stored, so the
    tokens returned here can never be recovered later. ``side``/``function``/``level``, when
    given, prefill the respondent's profile.

    Raises django ``ValidationError`` for a bad count or an unknown side, function or level.
    """
    errors: dict[str, Any] = {}
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_INVITATIONS_PER_BATCH
    ):
        errors["count"] = _("The count must be a whole number from 1 to %(max)d.") % {
            "max": MAX_INVITATIONS_PER_BATCH
        }
    for field, value, choices in (
        ("side", side, Side),
        ("function", function, Function),
        ("level", level, Level),
    ):
        try:
            _choice_check(value, choices, field)
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)

    tokens = [token_create() for _n in range(count)]
    invitations = [
        Invitation(
            round=round,
            token_hash=token_hash(token),
            side=side or "",
            function=function or "",
            level=level or "",
            draft={},
        )
        for token in tokens
    ]
    with transaction.atomic():
        Invitation.objects.bulk_create(invitations, batch_size=1000)
    return tokens


def invitation_url(token: str) -> str:
    """Return the absolute link for ``token``: ``settings.SURVEY_BASE_URL`` + the welcome path."""
    base = settings.SURVEY_BASE_URL.rstrip("/")
    return f"{base}{reverse('survey:welcome', kwargs={'token': token})}"


# --- answers and responses ----------------------------------------------------------------


def _instrument_items(instrument_id: int) -> dict[str, _ItemInfo]:
    """Map item code -> (pk, kind) for every item of the instrument, in instrument order
    (as survey.selectors.round_items_frame: the order of ``Response.likert_answers``). One
    query."""
    rows = (
        Item.objects.filter(dimension__instrument_id=instrument_id)
        .order_by("dimension__order", "dimension_id", "order", "pk")
        .values_list("code", "pk", "kind")
    )
    return {code: _ItemInfo(pk=pk, kind=kind) for code, pk, kind in rows}


def _answer_clean(code: Any, value: Any, items: dict[str, _ItemInfo], points: int) -> Any:
    """Return the cleaned value (int Likert point or stripped comment; None = no answer).

    Raises ValueError for an unknown item, a Likert value outside 1..points, a non-text
    comment or a comment longer than COMMENT_MAX_LENGTH characters.
    """
    info = items.get(code)
    if info is None:
        raise ValueError(f"Unknown item code {code!r} for this instrument.")
    if value is None:
        return None
    if info.kind == Item.Kind.LIKERT:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= points:
            raise ValueError(
                f"Value {value!r} for item {code!r} is not a whole number from 1 to {points}."
            )
        return value
    if not isinstance(value, str):
        raise ValueError(f"The comment for item {code!r} must be text, got {value!r}.")
    value = value.strip()
    if len(value) > COMMENT_MAX_LENGTH:
        raise ValueError(
            f"The comment for item {code!r} is longer than {COMMENT_MAX_LENGTH} characters."
        )
    return value or None


def _answers_clean(
    answers: dict[str, Any], items: dict[str, _ItemInfo], points: int
) -> dict[str, Any]:
    cleaned = {}
    for code, value in (answers or {}).items():
        value = _answer_clean(code, value, items, points)
        if value is not None:
            cleaned[code] = value
    return cleaned


def _draft_answers_current(
    answers: dict[str, Any], items: dict[str, _ItemInfo], points: int
) -> dict[str, Any]:
    """The draft's answers that still fit the instrument, cleaned.

    An unanswered instrument version may be corrected in place while drafts are open; an
    answer to an item that was removed, or off a scale that shrank, is dropped rather than
    blocking the respondent's submission.
    """
    current = {}
    for code, value in (answers or {}).items():
        try:
            cleaned = _answer_clean(code, value, items, points)
        except ValueError:
            continue
        if cleaned is not None:
            current[code] = cleaned
    return current


def _profile_clean(*, side: Any, function: Any, level: Any) -> dict[str, str]:
    return {
        "side": _choice_check(side, Side, "side", required=True),
        "function": _choice_check(function, Function, "function"),
        "level": _choice_check(level, Level, "level"),
    }


def _responses_write(
    *,
    survey_round: SurveyRound,
    cleaned: list[tuple[dict[str, str], dict[str, Any]]],
    items: dict[str, _ItemInfo],
    source: str,
    submitted_on: dt.date,
    extra_fields: list[dict[str, Any]] | None = None,
) -> list[Response]:
    """Insert validated responses and their answers with two bulk inserts (caller's atomic).

    ``extra_fields``, when given, holds one dict of further Response fields per response
    (``submitted_on``, ``attributes``, ``import_batch``), overriding the shared values.
    Each Response also gets its Likert answers as ``likert_answers`` (one int or None per
    Likert item of ``items``, in their order: instrument order), the copy the responses
    export reads, so every write path keeps the two in step.
    """
    extras = extra_fields or [{}] * len(cleaned)
    likert_codes = [code for code, info in items.items() if info.kind == Item.Kind.LIKERT]
    responses = [
        Response(
            **{
                "round": survey_round,
                "submitted_on": submitted_on,
                "source": source,
                **profile,
                "likert_answers": [
                    value if isinstance(value := answers.get(code), int) else None
                    for code in likert_codes
                ],
                **extra,
            }
        )
        for (profile, answers), extra in zip(cleaned, extras, strict=True)
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        Response.objects.bulk_create(responses, batch_size=1000)
    else:  # pragma: no cover - every supported backend returns primary keys
        for response in responses:
            response.save()
    rows = [
        Answer(
            response=response,
            item_id=items[code].pk,
            value=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for response, (_profile, answers) in zip(responses, cleaned, strict=True)
        for code, value in answers.items()
    ]
    Answer.objects.bulk_create(rows, batch_size=1000)
    return responses


def responses_create_bulk(
    *,
    round: SurveyRound,
    responses: Iterable[dict],
    source: str = Response.Source.COLLECTED,
    submitted_on: dt.date | None = None,
) -> int:
    """Store many responses at once and return how many were stored.

    Each dict is ``{"side": str, "function": str, "level": str, "answers": {item_code: v}}``
    where ``v`` is an int (Likert points 1..scale_points) for a Likert item or a str for a
    comment item (None or blank means no answer). ``submitted_on`` defaults to today in the
    round's time zone. Everything is validated first, then written in one transaction with
    bulk inserts, so a bad value writes nothing.

    Raises ValueError naming the response (1-based), the item and the problem.
    """
    if source not in Response.Source.values:
        raise ValueError(f"Unknown source {source!r}.")
    items = _instrument_items(round.instrument_id)
    points = round.instrument.scale_points
    cleaned = []
    for n, data in enumerate(responses, start=1):
        try:
            profile = _profile_clean(
                side=data.get("side"), function=data.get("function"), level=data.get("level")
            )
            answers = _answers_clean(data.get("answers") or {}, items, points)
        except ValueError as exc:
            raise ValueError(f"Response {n}: {exc}") from exc
        cleaned.append((profile, answers))
    if not cleaned:
        return 0
    with transaction.atomic():
        _responses_write(
            survey_round=round,
            cleaned=cleaned,
            items=items,
            source=source,
            submitted_on=submitted_on or round_today(round),
        )
    return len(cleaned)


# --- the respondent's draft ---------------------------------------------------------------


def _draft_update(invitation: Invitation, change: Callable[[dict], None]) -> bool:
    """Apply ``change`` to the stored draft of an unused invitation, under a row lock.

    Returns False (and writes nothing) when the invitation has been used meanwhile.
    """
    with transaction.atomic():
        current = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, used=False)
            .values_list("draft", flat=True)
            .first()
        )
        if current is None:
            return False
        draft = dict(current or {})
        change(draft)
        updated = Invitation.objects.filter(pk=invitation.pk, used=False).update(draft=draft)
    if updated:
        invitation.draft = draft
    return bool(updated)


def invitation_save_profile(
    *,
    invitation: Invitation,
    side: str,
    function: str,
    level: str,
    attributes: dict[str, str] | None = None,
) -> bool:
    """Store the respondent's profile in the invitation's draft.

    ``attributes`` answers the round's declared profile questions (name -> choice; blank =
    prefer not to say); the chosen ones are kept under ``"attributes"`` in the profile.
    Returns False when the invitation is already used. Raises ValueError for an unknown
    side (required), function, level, attribute or attribute choice.
    """
    profile: dict[str, Any] = _profile_clean(side=side, function=function, level=level)
    chosen = attribute_values_clean(invitation.round.profile_attributes or [], attributes or {})
    if chosen:
        profile[DRAFT_ATTRIBUTES] = chosen

    def change(draft: dict) -> None:
        draft[DRAFT_PROFILE] = profile

    return _draft_update(invitation, change)


def invitation_save_page(
    *, invitation: Invitation, answers: dict[str, int | str | None], page: int | None = None
) -> bool:
    """Merge one page's answers into the invitation's draft.

    ``answers`` maps item codes to a Likert value (int, 1..scale_points), a comment (str) or
    None (no answer: any earlier answer is removed). ``page`` (1-based), when given, marks the
    pages up to it as finished so that reopening the link resumes after it.
    Returns False when the invitation is already used. Raises ValueError for an unknown item
    or a value off the scale.
    """
    survey_round = invitation.round
    items = _instrument_items(survey_round.instrument_id)
    points = survey_round.instrument.scale_points
    cleaned = {code: _answer_clean(code, value, items, points) for code, value in answers.items()}

    def change(draft: dict) -> None:
        stored = dict(draft.get(DRAFT_ANSWERS) or {})
        for code, value in cleaned.items():
            if value is None:
                stored.pop(code, None)
            else:
                stored[code] = value
        draft[DRAFT_ANSWERS] = stored
        if page is not None:
            draft[DRAFT_PAGE] = max(int(draft.get(DRAFT_PAGE) or 0), page)

    return _draft_update(invitation, change)


def invitation_resume_step(*, invitation: Invitation, page_count: int) -> tuple[str, int | None]:
    """Return the first unfinished step of the draft: ``("profile", None)``,
    ``("page", n)`` (1-based dimension page) or ``("review", None)``."""
    draft = invitation.draft or {}
    if not (draft.get(DRAFT_PROFILE) or {}).get("side"):
        return ("profile", None)
    done = int(draft.get(DRAFT_PAGE) or 0)
    if done < page_count:
        return ("page", done + 1)
    return ("review", None)


def _draft_attributes_current(declared: list[dict[str, Any]], stored: Any) -> dict[str, str]:
    # The round's declaration may have changed since the draft was saved: keep what still fits.
    if not isinstance(stored, dict):
        return {}
    kept = {}
    for name, value in stored.items():
        try:
            kept.update(attribute_values_clean(declared, {name: value}))
        except ValueError:
            continue
    return {entry["name"]: kept[entry["name"]] for entry in declared if entry["name"] in kept}


def response_submit(*, invitation: Invitation) -> Response | None:
    """Turn the invitation's draft into a submitted Response with its Answers.

    In one transaction: the invitation is claimed by a conditional UPDATE that succeeds only
    once (``used`` False -> True, draft emptied), then the Response (side/function/level from
    the draft profile; ``submitted_on`` = today's date in the round's time zone, never a time;
    ``attributes`` = the draft's answers to the round's declared profile questions that are
    still among their choices) and its Answers are bulk-inserted. Nothing links the Response
    to the invitation.

    Returns None when the invitation was already used (double click, second tab).
    Raises DraftIncompleteError when the draft has no profile, RoundNotOpenError when the
    round is not open now.
    """
    survey_round = invitation.round
    with transaction.atomic():
        draft = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, used=False)
            .values_list("draft", flat=True)
            .first()
        )
        if draft is None:
            return None
        if not survey_round.is_open():
            raise RoundNotOpenError(survey_round.slug)
        profile = (draft or {}).get(DRAFT_PROFILE) or {}
        if not profile.get("side"):
            raise DraftIncompleteError("The profile step has not been completed.")
        items = _instrument_items(survey_round.instrument_id)
        points = survey_round.instrument.scale_points
        cleaned_profile = _profile_clean(
            side=profile.get("side"), function=profile.get("function"), level=profile.get("level")
        )
        answers = _draft_answers_current(draft.get(DRAFT_ANSWERS) or {}, items, points)
        attributes = _draft_attributes_current(
            survey_round.profile_attributes or [], profile.get(DRAFT_ATTRIBUTES) or {}
        )

        claimed = Invitation.objects.filter(pk=invitation.pk, used=False).update(
            used=True, draft={}
        )
        if claimed != 1:
            return None
        (response,) = _responses_write(
            survey_round=survey_round,
            cleaned=[(cleaned_profile, answers)],
            items=items,
            source=Response.Source.COLLECTED,
            submitted_on=round_today(survey_round),
            extra_fields=[{"attributes": attributes}],
        )
    invitation.used = True
    invitation.draft = {}
    return response


# --- importing responses from a file ------------------------------------------------------

IMPORT_PREVIEW_ROWS = 10


class ImportDuplicateError(ImportFileError):
    """The same file (same SHA-256) was imported into the round before, and replacing it was
    not asked for."""


@dataclass(frozen=True)
class ImportReport:
    """What :func:`responses_import` did, or would do in a dry run.

    ``response_count``/``answer_count``: rows and non-blank answers imported; ``side_counts``:
    responses per side value; ``columns``: every column of the file and what it feeds
    (``kind`` ``""`` = ignored); ``preview``: the first rows as read; ``replaced_count``:
    responses of earlier imports removed (or to be removed) by ``replace``; ``batch``: the new
    ImportBatch (None in a dry run).
    """

    round_slug: str
    filename: str
    sha256: str
    format: str
    encoding: str
    delimiter: str
    response_count: int
    answer_count: int
    side_counts: dict[str, int]
    columns: list[Column]
    attributes: tuple[str, ...]
    warnings: list[str]
    preview: list[ParsedRow]
    dry_run: bool
    replaced_count: int = 0
    batch: ImportBatch | None = None
    items: list[str] = dataclasses.field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """The report for people, one line each: what was (or would be) imported, per side,
        what was replaced, then the warnings."""
        answers = (
            f"{_count_of(self.response_count, 'response')} "
            f"({_count_of(self.answer_count, 'answer')})"
        )
        if self.dry_run:
            lines = [
                f"Dry run: would import {answers} from {self.filename} into round "
                f"{self.round_slug}; nothing was written."
            ]
        else:
            lines = [f"Imported {answers} from {self.filename} into round {self.round_slug}."]
        labels = dict(Side.choices)
        lines.append(
            "Per side: "
            + ", ".join(
                f"{labels.get(side, side)} {count}" for side, count in self.side_counts.items()
            )
            + "."
        )
        if self.replaced_count:
            verb = "Would replace" if self.dry_run else "Replaced"
            lines.append(
                f"{verb} {_count_of(self.replaced_count, 'response')} of the earlier import."
            )
        lines += self.warnings
        return lines

    def column_lines(self) -> list[str]:
        """One line per column of the file: its name and what it feeds."""
        return [
            f"{column.label} -> {f'{column.kind} {column.target}' if column.kind else 'ignored'}"
            for column in self.columns
        ]


def _count_of(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _import_schema(survey_round: SurveyRound, items: dict[str, _ItemInfo]) -> ImportSchema:
    return ImportSchema(
        items={code: info.kind for code, info in items.items()},
        scale_labels=tuple(str(label) for label in survey_round.instrument.scale_labels or ()),
        profile_choices={
            "side": {value: str(label) for value, label in Side.choices},
            "function": {value: str(label) for value, label in Function.choices},
            "level": {value: str(label) for value, label in Level.choices},
        },
        attribute_choices={
            entry["name"]: tuple(entry["choices"])
            for entry in survey_round.profile_attributes or []
        },
    )


def responses_import(
    *,
    round: SurveyRound,
    file: bytes | Any,
    filename: str,
    mapping: ColumnMapping | None = None,
    dry_run: bool = False,
    replace: bool = False,
    strict: bool = False,
    header_rows: int = 1,
    encoding: str | None = None,
    attributes: Iterable[str] = (),
) -> ImportReport:
    """Import a file of responses from another survey tool into ``round``, all or nothing.

    ``file`` is the file's bytes or a binary file object; ``filename`` is recorded on the
    ImportBatch. The file is read by :func:`survey.importing.table_read` (CSV or ``.xlsx``,
    ``header_rows``, ``encoding``) and mapped by :func:`survey.importing.table_parse`
    (``mapping``, extra ``attributes``, ``strict``); every row is then validated with the
    same checks as collected responses (``_profile_clean``, ``_answer_clean``: Likert points
    1..scale_points, comments up to COMMENT_MAX_LENGTH characters). ``submitted_on`` comes
    from a ``submitted_on`` column, else today in the round's time zone.

    Unless ``dry_run``, writes in one transaction an ImportBatch (file name, SHA-256, time,
    count) and the responses (``source=imported``, linked to the batch) with their answers,
    by bulk inserts. ``replace`` first deletes earlier batches of the round with the same
    content or the same file name, and their responses.

    Raises ImportFileError listing every problem (line and column) when anything is wrong,
    ImportDuplicateError when the same file was imported into the round before and
    ``replace`` is false. Nothing is written then.
    """
    content = file if isinstance(file, bytes | bytearray) else file.read()
    if not isinstance(content, bytes | bytearray):
        raise ImportFileError("The file must be read as bytes.")
    content = bytes(content)
    filename = Path(str(filename or "")).name[:255] or "upload"
    sha256 = hashlib.sha256(content).hexdigest()
    items = _instrument_items(round.instrument_id)
    points = round.instrument.scale_points
    today = round_today(round)
    table = table_read(
        content=content, header_rows=header_rows, encoding=encoding, filename=filename
    )
    parsed = table_parse(
        table=table,
        schema=_import_schema(round, items),
        mapping=mapping,
        attributes=attributes,
        strict=strict,
        today=today,
        zone=round_zone(round),
    )
    problems = list(parsed.problems)
    cleaned: list[tuple[dict[str, str], dict[str, Any]]] = []
    extras: list[dict[str, Any]] = []
    for row in parsed.rows:
        profile: dict[str, str] = {}
        if row.side:
            try:
                profile = _profile_clean(side=row.side, function=row.function, level=row.level)
            except ValueError as exc:
                problems.append(Problem(row.line, None, str(exc)))
        answers: dict[str, Any] = {}
        for code, value in row.answers.items():
            try:
                value = _answer_clean(code, value, items, points)
            except ValueError as exc:
                column = parsed.column_for(code)
                problems.append(Problem(row.line, column.label if column else None, str(exc)))
            else:
                if value is not None:
                    answers[code] = value
        cleaned.append((profile, answers))
        extras.append({"submitted_on": row.submitted_on or today, "attributes": row.attributes})
    if problems:
        problems.sort(key=lambda problem: problem.line or 0)
        raise ImportFileError(problems_message(problems, filename=filename), problems)

    warnings = list(parsed.warnings)
    earlier = ImportBatch.objects.filter(round=round)
    _import_refuse_duplicate(earlier, sha256=sha256, filename=filename, replace=replace)
    replaced = earlier.filter(Q(sha256=sha256) | Q(filename=filename)) if replace else None
    if not replace:
        same_name = earlier.filter(filename=filename).first()
        if same_name is not None:
            warnings.append(
                f"A file named {filename} was imported into this round on "
                f"{same_name.imported_at:%Y-%m-%d}; this import adds to it (replace to import "
                "it in place of the earlier one)."
            )
    side_counts: dict[str, int] = {}
    for profile, _answers in cleaned:
        side_counts[profile["side"]] = side_counts.get(profile["side"], 0) + 1
    report = ImportReport(
        round_slug=round.slug,
        filename=filename,
        sha256=sha256,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        response_count=len(cleaned),
        answer_count=sum(len(answers) for _profile, answers in cleaned),
        side_counts={side: side_counts[side] for side in Side.values if side in side_counts},
        columns=parsed.columns,
        attributes=parsed.attributes,
        warnings=warnings,
        preview=parsed.rows[:IMPORT_PREVIEW_ROWS],
        dry_run=dry_run,
        replaced_count=(
            replaced.aggregate(n=Sum("response_count"))["n"] or 0 if replaced is not None else 0
        ),
        items=list(items),
    )
    if dry_run:
        return report
    try:
        with transaction.atomic():
            # One import into a round at a time: the duplicate check and the insert agree.
            SurveyRound.objects.select_for_update().filter(pk=round.pk).values_list("pk").first()
            _import_refuse_duplicate(earlier, sha256=sha256, filename=filename, replace=replace)
            if replaced is not None:
                replaced.delete()
            batch = ImportBatch.objects.create(
                round=round, filename=filename, sha256=sha256, response_count=len(cleaned)
            )
            _responses_write(
                survey_round=round,
                cleaned=cleaned,
                items=items,
                source=Response.Source.IMPORTED,
                submitted_on=today,
                extra_fields=[{**extra, "import_batch": batch} for extra in extras],
            )
    except IntegrityError as exc:  # a concurrent import of the same file won the race
        raise ImportDuplicateError(
            f"The file {filename} is being imported into round {round.slug} already: "
            "nothing was imported."
        ) from exc
    return dataclasses.replace(report, batch=batch)


def _import_refuse_duplicate(earlier: Any, *, sha256: str, filename: str, replace: bool) -> None:
    if replace:
        return
    same = earlier.filter(sha256=sha256).first()
    if same is not None:
        raise ImportDuplicateError(
            f"This file was already imported into this round on {same.imported_at:%Y-%m-%d} "
            f"(as {same.filename}, {same.response_count} responses): nothing was imported. "
            "Use --replace (the Replace box in the admin) to import it again in place of the "
            "earlier import."
        )


# --- running a round: invitees, emails, opening and closing (issue 8) ---------------------
#
# Sending mail cannot share a transaction with the database, so each batch of emails runs
# claim -> send -> undo-on-failure:
#   1. claim (one transaction, rows locked): each invitation of the batch gets a fresh token,
#      whose hash replaces the old one, and its flags (last_sent_on, reminders_sent) are set;
#   2. commit, then send the batch's messages one by one over one connection;
#   3. if the mail server fails on a message, that message and the rest of the batch get their
#      old hash and flags back (one transaction) and MailSendError says how many went out.
# So an SMTP failure halfway leaves every unsent invitee exactly as before (a reminder's old
# link still works) and running the command again sends only to them. Concurrent senders
# cannot mail the same invitee twice, because the claim locks and changes the rows first.
# A crash between claim and send (the process dies) leaves those invitees marked as mailed
# with a link nobody has; the next reminder reaches them with a fresh link.

SEND_BATCH_SIZE = 100
EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length


@dataclass(frozen=True)
class InviteesAddResult:
    """What :func:`invitees_add` did: invitations ``added``; ``duplicates`` skipped because
    the address was in the round already or earlier in the same list."""

    added: int
    duplicates: int


@dataclass(frozen=True)
class SendResult:
    """What a send did: emails ``sent``; for reminders, ``mailed_today``: invitees left for
    another day because they were emailed today already."""

    sent: int
    mailed_today: int = 0


class MailSendError(Exception):
    """The mail server failed part-way: ``sent`` emails went out, ``unsent`` invitees are
    unchanged and will be sent to by the next run; ``reason`` is the server's error."""

    def __init__(self, *, sent: int, unsent: int, reason: str) -> None:
        self.sent = sent
        self.unsent = unsent
        self.reason = reason
        super().__init__(
            f"Sending stopped after {sent} email(s): {reason}. {unsent} invitee(s) were not "
            "emailed and are unchanged; send again to reach them."
        )


def _choice_lookup(choices: type) -> dict[str, str]:
    """Map a choice's value and its label, lower-cased, to the value."""
    lookup = {str(label).lower(): value for value, label in choices.choices}
    lookup.update({value.lower(): value for value in choices.values})
    return lookup


def _field_value(row: Any, name: str) -> str:
    value = row.get(name, "") if isinstance(row, dict) else getattr(row, name, "")
    return str(value or "").strip()


def invitees_add(*, round: SurveyRound, rows: Iterable[Any]) -> InviteesAddResult:
    """Add invitees to ``round``, all or nothing: one Invitation per new address.

    ``rows`` are :class:`survey.invitees.InviteeRow` (from ``invitees_read_csv`` or
    ``invitees_read_text``) or dicts with ``email`` and optional ``side``, ``function``,
    ``level`` (a choice's value or label, any case) and ``line``. Addresses are stored
    lower-case; one already in the round, or repeated in the list, is skipped and counted as
    a duplicate. Each invitation gets a placeholder token hash: its link exists only once
    :func:`invitations_send` mails it.

    Raises :class:`survey.invitees.InviteeListError` naming the line of every bad address or
    value (nothing is written), or when the list holds more than MAX_INVITATIONS_PER_BATCH.
    """
    lookups = {
        "side": (_choice_lookup(Side), Side),
        "function": (_choice_lookup(Function), Function),
        "level": (_choice_lookup(Level), Level),
    }
    problems: list[str] = []
    cleaned: dict[str, dict[str, str]] = {}
    duplicates = 0
    count = 0
    for n, row in enumerate(rows, start=1):
        count += 1
        line = getattr(row, "line", None) or (row.get("line") if isinstance(row, dict) else None)
        where = f"Line {line or n}"
        email = _field_value(row, "email").lower()
        if not email:
            problems.append(f"{where}: no email address.")
            continue
        try:
            validate_email(email)
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(f"{where}: {email!r} is not a valid email address.")
            continue
        profile = {}
        for name, (lookup, choices) in lookups.items():
            typed = _field_value(row, name)
            value = lookup.get(typed.lower(), None) if typed else ""
            if value is None:
                allowed = ", ".join(str(label) for label in choices.labels)
                problems.append(f"{where}: unknown {name} {typed!r}; expected one of {allowed}.")
            profile[name] = value or ""
        if email in cleaned:
            duplicates += 1
        else:
            cleaned[email] = profile
    if count > MAX_INVITATIONS_PER_BATCH:
        raise InviteeListError(
            [f"The list has {count} invitees; at most {MAX_INVITATIONS_PER_BATCH} at once."]
        )
    if problems:
        raise InviteeListError(problems)
    with transaction.atomic():
        # One writer per round at a time, so the duplicate check and the insert agree.
        SurveyRound.objects.select_for_update().filter(pk=round.pk).values_list("pk").first()
        existing = set(
            Invitation.objects.filter(round=round)
            .exclude(email="")
            .values_list("email", flat=True)
            .iterator()
        )
        new = [
            Invitation(
                round=round,
                # Nobody holds this token: the link is made when the invitation is mailed.
                token_hash=token_hash(token_create()),
                email=email,
                draft={},
                **profile,
            )
            for email, profile in cleaned.items()
            if email not in existing
        ]
        Invitation.objects.bulk_create(new, batch_size=1000)
    return InviteesAddResult(added=len(new), duplicates=duplicates + len(cleaned) - len(new))


def _round_is_closed(survey_round: SurveyRound) -> bool:
    closes_at = survey_round.closes_at
    return closes_at is not None and closes_at <= dj_timezone.now()


def _email_send_batches(
    *, survey_round: SurveyRound, kind: str, pending: Any, today: dt.date
) -> int:
    """Claim, mail and (on failure) restore ``pending`` invitations in batches; see the
    comment at the top of this section. Returns how many emails were sent."""
    subject_template, body_template = round_email_templates(survey_round, kind)
    base_context = {
        "round_name": survey_round.name,
        "closes": local_time_text(survey_round.closes_at, round_zone(survey_round)),
    }
    reminder = kind == REMINDER
    sent = 0
    last_pk = 0
    if not pending.exists():  # nothing to send: no need for the mail server
        return 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the mail server cannot be reached: nothing was claimed
        raise MailSendError(
            sent=0, unsent=pending.count(), reason=str(exc) or type(exc).__name__
        ) from exc
    with connection:
        while True:
            with transaction.atomic():
                claimed = list(
                    pending.filter(pk__gt=last_pk)
                    .select_for_update()
                    .order_by("pk")
                    .values_list("pk", "email", "token_hash", "last_sent_on", "reminders_sent")[
                        :SEND_BATCH_SIZE
                    ]
                )
                if not claimed:
                    return sent
                tokens = [token_create() for _row in claimed]
                Invitation.objects.bulk_update(
                    [
                        Invitation(
                            pk=pk,
                            token_hash=token_hash(token),
                            last_sent_on=today,
                            reminders_sent=reminders + (1 if reminder else 0),
                        )
                        for (pk, _email, _hash, _on, reminders), token in zip(
                            claimed, tokens, strict=True
                        )
                    ],
                    ["token_hash", "last_sent_on", "reminders_sent"],
                )
            last_pk = claimed[-1][0]
            for index, ((_pk, email, *_old), token) in enumerate(zip(claimed, tokens, strict=True)):
                context = {**base_context, "link": invitation_url(token)}
                message = EmailMessage(
                    subject=email_subject_render(subject_template, context),
                    body=email_render(body_template, context),
                    to=[email],
                )
                try:
                    connection.send_messages([message])
                except Exception as exc:  # SMTP, network, bad header: put the rest back
                    _email_claims_restore(claimed[index:])
                    raise MailSendError(
                        sent=sent, unsent=pending.count(), reason=str(exc) or type(exc).__name__
                    ) from exc
                sent += 1


def _email_claims_restore(rows: list[tuple]) -> None:
    """Give claimed invitations back their old token hash and flags (one transaction)."""
    with transaction.atomic():
        Invitation.objects.bulk_update(
            [
                Invitation(pk=pk, token_hash=old_hash, last_sent_on=on, reminders_sent=reminders)
                for pk, _email, old_hash, on, reminders in rows
            ],
            ["token_hash", "last_sent_on", "reminders_sent"],
        )


def invitations_send(*, round: SurveyRound) -> SendResult:
    """Email every invitee of ``round`` who has an address and no email yet their own link,
    through Django's email framework (``EMAIL_BACKEND``), with the round's invitation
    subject and body (:mod:`survey.emails`). Each gets a fresh token at send time; only its
    hash is stored, so the email holds the only copy of the link. Works for a round that has
    not opened yet (the link says when it opens).

    Raises RoundNotOpenError for a closed round (nothing sent), MailSendError when the mail
    server fails part-way (see the comment above: the unsent are unchanged).
    """
    if _round_is_closed(round):
        raise RoundNotOpenError(round.slug)
    pending = Invitation.objects.filter(round=round, used=False, last_sent_on__isnull=True).exclude(
        email=""
    )
    today = round_today(round)
    return SendResult(
        sent=_email_send_batches(survey_round=round, kind=INVITATION, pending=pending, today=today)
    )


def reminders_send(*, round: SurveyRound) -> SendResult:
    """Email a reminder to every invitee of the open ``round`` who was invited, has not
    completed (``used`` is all the round knows, so no answer is linked to anyone), was
    reminded fewer than ``round.max_reminders`` times and was not emailed today (in the
    round's time zone: a second click the same day sends nothing twice).

    A reminder carries a fresh link that replaces the previous one, which stops working; the
    draft stays on the invitation, so a respondent who started resumes where they left off.

    Raises RoundNotOpenError when the round is not open now, MailSendError when the mail
    server fails part-way (the unsent are unchanged).
    """
    if not round.is_open():
        raise RoundNotOpenError(round.slug)
    today = round_today(round)
    due = Invitation.objects.filter(
        round=round,
        used=False,
        last_sent_on__isnull=False,
        reminders_sent__lt=round.max_reminders,
    ).exclude(email="")
    pending = due.filter(last_sent_on__lt=today)
    mailed_today = due.filter(last_sent_on__gte=today).count()
    sent = _email_send_batches(survey_round=round, kind=REMINDER, pending=pending, today=today)
    return SendResult(sent=sent, mailed_today=mailed_today)


def round_open(*, round: SurveyRound, closes_at: dt.datetime | None = None) -> SurveyRound:
    """Open ``round`` now: an opening time in the future becomes now; a round that had closed
    reopens, until ``closes_at`` when given (naive = the round's time zone) or until closed.

    Raises django ``ValidationError`` when the round is open already or ``closes_at`` is not
    in the future.
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
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
    _round_refresh(round, survey_round)
    return round


def round_close(*, round: SurveyRound) -> SurveyRound:
    """Close ``round`` now: its links say the survey has closed, no reminder goes out.

    Raises django ``ValidationError`` when the round is not open (not opened yet or closed).
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        if not survey_round.is_open(now):
            raise ValidationError(_("Only an open round can be closed."))
        survey_round.closes_at = now
        survey_round.save(update_fields=["closes_at"])
    _round_refresh(round, survey_round)
    return round


def round_extend(*, round: SurveyRound, closes_at: dt.datetime) -> SurveyRound:
    """Move the closing time of ``round`` to ``closes_at`` (naive = wall clock in the round's
    time zone), which must be in the future and after the opening; a closed round reopens.

    Raises django ``ValidationError`` (keyed ``closes_at``) for a time that has passed or is
    not after the opening.
    """
    now = dj_timezone.now()
    with transaction.atomic():
        survey_round = SurveyRound.objects.select_for_update().get(pk=round.pk)
        closes_at = aware_in_zone(closes_at, round_zone(survey_round))
        if closes_at <= now:
            raise ValidationError({"closes_at": _("The new closing time has passed.")})
        if closes_at <= survey_round.opens_at:
            raise ValidationError({"closes_at": _("A round must close after it opens.")})
        survey_round.closes_at = closes_at
        survey_round.save(update_fields=["closes_at"])
    _round_refresh(round, survey_round)
    return round


def _round_refresh(target: SurveyRound, source: SurveyRound) -> None:
    target.opens_at = source.opens_at
    target.closes_at = source.closes_at
