"""Response writes: the respondent's draft (kept apart and encrypted, ``survey.drafts``),
submitting it, and storing responses in bulk.

Also the checks every stored answer and profile passes, whichever way it comes in (browser,
bulk, import): :func:`answer_clean`, :func:`profile_clean`, then :func:`responses_write`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from assessment.models import Item
from survey.attributes import attribute_values_clean
from survey.drafts import draft_handle, draft_open, draft_seal, draft_secret
from survey.models import (
    Answer,
    Draft,
    Function,
    Invitation,
    Level,
    Response,
    Side,
    SurveyRound,
)
from survey.scale import DONT_KNOW
from survey.services._common import ItemInfo, choice_check, instrument_items
from survey.services.rounds import RoundNotOpenError
from survey.zones import round_today

COMMENT_MAX_LENGTH = 2000

# Keys of a draft: {"profile": {side, function, level}, "answers": {code: v},
# "predicted_other": {code: point}, "page": n}
DRAFT_PROFILE = "profile"
DRAFT_ANSWERS = "answers"
DRAFT_PREDICTED = "predicted_other"
DRAFT_PAGE = "page"

# The sides asked how they think the other side would answer a meta-perception statement.
META_SIDES = frozenset({Side.IT, Side.SECURITY})
# Inside the draft's profile: {attribute name: choice} for the round's declared questions.
DRAFT_ATTRIBUTES = "attributes"


class DraftIncompleteError(ValueError):
    """The draft cannot be submitted yet (no profile, so no side to count it under)."""


# --- checking answers and profiles ----------------------------------------------------------


def answer_clean(
    *,
    code: Any,
    value: Any,
    items: dict[str, ItemInfo],
    points: int,
    dont_know: bool = False,
) -> Any:
    """Return the cleaned value (int point 1..points or :data:`DONT_KNOW` for a statement on
    the scale, a stripped comment for a comment item; None = no answer).

    ``dont_know``: whether the instrument offers "don't know" (a non-blank
    ``Instrument.dont_know_label``, :func:`dont_know_offered`).
    Raises ValueError for an unknown item, a scale value outside 1..points, "don't know"
    where it is not offered, a non-text comment or a comment longer than
    COMMENT_MAX_LENGTH characters.
    """
    info = items.get(code)
    if info is None:
        raise ValueError(f"Unknown item code {code!r} for this instrument.")
    if value is None:
        return None
    if info.on_scale:
        if value == DONT_KNOW:
            if not dont_know:
                raise ValueError(f'This instrument offers no "don\'t know" (item {code!r}).')
            return DONT_KNOW
        return _point_clean(code, value, points)
    if not isinstance(value, str):
        raise ValueError(f"The comment for item {code!r} must be text, got {value!r}.")
    value = value.strip()
    if len(value) > COMMENT_MAX_LENGTH:
        raise ValueError(
            f"The comment for item {code!r} is longer than {COMMENT_MAX_LENGTH} characters."
        )
    return value or None


def _point_clean(code: Any, value: Any, points: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= points:
        raise ValueError(
            f"Value {value!r} for item {code!r} is not a whole number from 1 to {points}."
        )
    return value


def predicted_clean(
    *, code: Any, value: Any, items: dict[str, ItemInfo], points: int, side: str
) -> int | None:
    """Return the cleaned guess of the other side's answer (int point 1..points; None = no
    guess) of a respondent of ``side`` to the statement ``code``.

    Raises ValueError for an unknown item, an item that is not a meta-perception statement,
    a respondent of a side that is not asked (only IT and Security are) or a value outside
    1..points. "Don't know" is not a guess.
    """
    info = items.get(code)
    if info is None:
        raise ValueError(f"Unknown item code {code!r} for this instrument.")
    if value is None:
        return None
    if not info.meta_perception:
        raise ValueError(f"Item {code!r} asks no guess of the other side's answer.")
    if side not in META_SIDES:
        raise ValueError(
            f"Only IT and Security respondents guess the other side's answer (item {code!r}, "
            f"side {side!r})."
        )
    return _point_clean(code, value, points)


def dont_know_offered(instrument: Any) -> bool:
    """Whether ``instrument`` (an assessment Instrument) offers "don't know": its
    ``dont_know_label`` is not blank."""
    return bool((instrument.dont_know_label or "").strip())


def _answers_clean(
    answers: dict[str, Any], items: dict[str, ItemInfo], points: int, dont_know: bool = False
) -> dict[str, Any]:
    """Every answer cleaned by :func:`answer_clean`, blank ones left out (ValueError as it)."""
    cleaned = {}
    for code, value in (answers or {}).items():
        value = answer_clean(
            code=code, value=value, items=items, points=points, dont_know=dont_know
        )
        if value is not None:
            cleaned[code] = value
    return cleaned


def _predicted_clean(
    predicted: dict[str, Any], items: dict[str, ItemInfo], points: int, side: str
) -> dict[str, int]:
    """Every guess cleaned by :func:`predicted_clean`, blank ones left out (ValueError as it)."""
    cleaned = {}
    for code, value in (predicted or {}).items():
        value = predicted_clean(code=code, value=value, items=items, points=points, side=side)
        if value is not None:
            cleaned[code] = value
    return cleaned


def _draft_answers_current(
    answers: dict[str, Any], items: dict[str, ItemInfo], points: int, dont_know: bool
) -> dict[str, Any]:
    """The draft's answers that still fit the instrument, cleaned.

    An unanswered instrument version may be corrected in place while drafts are open; an
    answer to an item that was removed, or off a scale that shrank, is dropped rather than
    blocking the respondent's submission.
    """
    current = {}
    for code, value in (answers or {}).items():
        try:
            cleaned = answer_clean(
                code=code, value=value, items=items, points=points, dont_know=dont_know
            )
        except ValueError:
            continue
        if cleaned is not None:
            current[code] = cleaned
    return current


def _draft_predicted_current(
    predicted: Any, items: dict[str, ItemInfo], points: int, side: str
) -> dict[str, int]:
    """The draft's guesses that still fit the instrument and the respondent's side (a
    respondent who changed their side to Other is no longer asked), cleaned."""
    current = {}
    for code, value in (predicted if isinstance(predicted, dict) else {}).items():
        try:
            cleaned = predicted_clean(code=code, value=value, items=items, points=points, side=side)
        except ValueError:
            continue
        if cleaned is not None:
            current[code] = cleaned
    return current


def profile_clean(*, side: Any, function: Any, level: Any) -> dict[str, str]:
    """The checked profile ``{"side", "function", "level"}`` (blank function and level kept
    as ``""``). Raises ValueError for a missing or unknown side, an unknown function or level.
    """
    return {
        "side": choice_check(value=side, choices=Side, label="side", required=True),
        "function": choice_check(value=function, choices=Function, label="function"),
        "level": choice_check(value=level, choices=Level, label="level"),
    }


# --- writing responses ----------------------------------------------------------------------


def responses_write(
    *,
    survey_round: SurveyRound,
    cleaned: list[tuple[dict[str, str], dict[str, Any]]],
    items: dict[str, ItemInfo],
    source: str,
    submitted_on: dt.date,
    extra_fields: list[dict[str, Any]] | None = None,
    predicted: list[dict[str, int]] | None = None,
) -> list[Response]:
    """Insert validated responses and their answers with two bulk inserts (caller's atomic).

    ``cleaned`` holds one ``(profile, answers)`` per response, the answers as
    :func:`answer_clean` returns them. ``extra_fields``, when given, holds one dict of
    further Response fields per response (``submitted_on``, ``attributes``,
    ``import_batch``), overriding the shared values. ``predicted``, when given, holds one
    ``{item code: point}`` per response, cleaned by :func:`predicted_clean`: the guesses of
    the other side's answer, stored on the statement's Answer (one without a value when the
    statement itself was not answered).

    An answer :data:`DONT_KNOW` becomes an Answer with ``dont_know`` and no value.
    Each Response also gets its Likert answers as ``likert_answers`` (one per Likert item of
    ``items``, in their order: instrument order; the point, 0 for "don't know", None when
    not answered), the copy the responses export reads, so every write path keeps the two
    in step.
    """
    extras = extra_fields or [{}] * len(cleaned)
    guesses = predicted or [{}] * len(cleaned)
    likert_codes = [code for code, info in items.items() if info.kind == Item.Kind.LIKERT]
    responses = [
        Response(
            **{
                "round": survey_round,
                "submitted_on": submitted_on,
                "source": source,
                **profile,
                "likert_answers": [_likert_copy(answers.get(code)) for code in likert_codes],
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
        _answer_row(response, items[code], answers.get(code), guess.get(code))
        for response, (_profile, answers), guess in zip(responses, cleaned, guesses, strict=True)
        for code in dict.fromkeys([*answers, *guess])
    ]
    Answer.objects.bulk_create(rows, batch_size=1000)
    return responses


def _likert_copy(value: Any) -> int | None:
    # 0 is no point of any scale: "don't know" stays apart from "not answered" (None).
    if value == DONT_KNOW:
        return 0
    return value if isinstance(value, int) else None


def _answer_row(response: Response, info: ItemInfo, value: Any, guess: int | None) -> Answer:
    on_scale = info.on_scale
    return Answer(
        response=response,
        item_id=info.pk,
        value=value if on_scale and isinstance(value, int) else None,
        dont_know=on_scale and value == DONT_KNOW,
        predicted_other=guess,
        text=value if not on_scale and isinstance(value, str) else "",
    )


def responses_create_bulk(
    *,
    round: SurveyRound,
    responses: Iterable[dict],
    source: str = Response.Source.COLLECTED,
    submitted_on: dt.date | None = None,
) -> int:
    """Store many responses at once and return how many were stored.

    Each dict is ``{"side": str, "function": str, "level": str, "answers": {item_code: v}}``
    where ``v`` is an int (points 1..scale_points) or :data:`DONT_KNOW` (when the instrument
    offers it) for a statement on the scale, or a str for a comment item (None or blank
    means no answer); optionally ``"predicted_other": {item_code: point}``, the guesses of
    the other side's answer to meta-perception statements (IT and Security only).
    ``submitted_on`` defaults to today in the round's time zone. Everything is validated
    first, then written in one transaction with bulk inserts, so a bad value writes nothing.

    Raises ValueError naming the response (1-based), the item and the problem.
    """
    if source not in Response.Source.values:
        raise ValueError(f"Unknown source {source!r}.")
    items = instrument_items(instrument_id=round.instrument_id)
    points = round.instrument.scale_points
    dont_know = dont_know_offered(round.instrument)
    cleaned = []
    predicted = []
    for n, data in enumerate(responses, start=1):
        try:
            profile = profile_clean(
                side=data.get("side"), function=data.get("function"), level=data.get("level")
            )
            answers = _answers_clean(data.get("answers") or {}, items, points, dont_know)
            guesses = _predicted_clean(
                data.get("predicted_other") or {}, items, points, profile["side"]
            )
        except ValueError as exc:
            raise ValueError(f"Response {n}: {exc}") from exc
        cleaned.append((profile, answers))
        predicted.append(guesses)
    if not cleaned:
        return 0
    with transaction.atomic():
        responses_write(
            survey_round=round,
            cleaned=cleaned,
            items=items,
            source=source,
            submitted_on=submitted_on or round_today(round),
            predicted=predicted,
        )
    return len(cleaned)


# --- the respondent's draft -----------------------------------------------------------------


def _draft_secret() -> bytes:
    return draft_secret(settings.SECRET_KEY)


def _draft_locked(invitation: Invitation) -> tuple[dict[str, Any], str, bool] | None:
    """Lock the invitation's row and read its draft: ``(draft, handle, stored)``, the draft
    a new dict (``{}`` when none is stored) and whether a row holds it; None when the
    invitation has been used. Call inside a transaction: the lock holds until it ends, so
    no save or submit of the same invitation runs in between."""
    if not Invitation.objects.select_for_update().filter(pk=invitation.pk, used=False).exists():
        return None
    secret = _draft_secret()
    handle = draft_handle(invitation.pk, secret=secret)
    sealed = Draft.objects.filter(handle=handle).values_list("sealed", flat=True).first()
    return draft_open(sealed or "", handle=handle, secret=secret), handle, sealed is not None


def _draft_update(invitation: Invitation, change: Callable[[dict], None]) -> bool:
    """Apply ``change`` to the draft of an unused invitation under a row lock, and store it
    sealed (:mod:`survey.drafts`). Returns False (and writes nothing) when the invitation
    has been used meanwhile."""
    with transaction.atomic():
        locked = _draft_locked(invitation)
        if locked is None:
            return False
        draft, handle, stored = locked
        change(draft)
        sealed = draft_seal(draft, handle=handle, secret=_draft_secret())
        if stored:
            Draft.objects.filter(handle=handle).update(sealed=sealed)
        else:
            Draft.objects.create(round_id=invitation.round_id, handle=handle, sealed=sealed)
    return True


def invitation_draft(*, invitation: Invitation) -> dict[str, Any]:
    """The invitation's draft as its respondent left it: a new dict (``{}`` when nothing
    was saved). One query."""
    secret = _draft_secret()
    handle = draft_handle(invitation.pk, secret=secret)
    sealed = Draft.objects.filter(handle=handle).values_list("sealed", flat=True).first()
    return draft_open(sealed or "", handle=handle, secret=secret)


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
    side (required), function, level, attribute or attribute choice. A change of side drops
    the guesses of the other side's answers saved so far (they were about the other side).
    """
    profile: dict[str, Any] = profile_clean(side=side, function=function, level=level)
    chosen = attribute_values_clean(invitation.round.profile_attributes or [], attributes or {})
    if chosen:
        profile[DRAFT_ATTRIBUTES] = chosen

    def change(draft: dict) -> None:
        before = (draft.get(DRAFT_PROFILE) or {}).get("side")
        if before is not None and before != profile["side"]:
            # A guess was of the side that was "the other" then: after a change of side it
            # would be read as a guess of the respondent's own side. Asked again instead.
            draft.pop(DRAFT_PREDICTED, None)
        draft[DRAFT_PROFILE] = profile

    return _draft_update(invitation, change)


def invitation_save_page(
    *,
    invitation: Invitation,
    answers: dict[str, int | str | None],
    predicted: dict[str, int | None] | None = None,
    page: int | None = None,
) -> bool:
    """Merge one page's answers into the invitation's draft.

    ``answers`` maps item codes to a scale value (int, 1..scale_points, or
    :data:`DONT_KNOW` when the instrument offers it), a comment (str) or None (no answer: any
    earlier answer is removed). ``predicted`` maps meta-perception item codes to the guess of
    the other side's answer (int, 1..scale_points) or None (removed); the side is the one in
    the draft's profile. ``page`` (1-based), when given, marks the pages up to it as finished
    so that reopening the link resumes after it.
    Returns False when the invitation is already used. Raises ValueError for an unknown item,
    a value off the scale, "don't know" where not offered, or a guess the respondent is not
    asked for.
    """
    survey_round = invitation.round
    instrument = survey_round.instrument
    items = instrument_items(instrument_id=survey_round.instrument_id)
    points = instrument.scale_points
    dont_know = dont_know_offered(instrument)
    cleaned = {
        code: answer_clean(code=code, value=value, items=items, points=points, dont_know=dont_know)
        for code, value in answers.items()
    }
    guesses = dict(predicted or {})

    def change(draft: dict) -> None:
        stored = dict(draft.get(DRAFT_ANSWERS) or {})
        for code, value in cleaned.items():
            if value is None:
                stored.pop(code, None)
            else:
                stored[code] = value
        draft[DRAFT_ANSWERS] = stored
        if guesses:
            side = (draft.get(DRAFT_PROFILE) or {}).get("side", "")
            kept = dict(draft.get(DRAFT_PREDICTED) or {})
            for code, value in guesses.items():
                guess = predicted_clean(
                    code=code, value=value, items=items, points=points, side=side
                )
                if guess is None:
                    kept.pop(code, None)
                else:
                    kept[code] = guess
            draft[DRAFT_PREDICTED] = kept
        if page is not None:
            draft[DRAFT_PAGE] = max(int(draft.get(DRAFT_PAGE) or 0), page)

    return _draft_update(invitation, change)


def invitation_resume_step(*, invitation: Invitation, page_count: int) -> tuple[str, int | None]:
    """Return the first unfinished step of the draft: ``("profile", None)``,
    ``("page", n)`` (1-based dimension page) or ``("review", None)``."""
    draft = invitation_draft(invitation=invitation)
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


LANGUAGE_ATTRIBUTE = "language"


def response_submit(*, invitation: Invitation, language: str = "") -> Response | None:
    """Turn the invitation's draft into a submitted Response with its Answers.

    In one transaction: the invitation is claimed by a conditional UPDATE that succeeds only
    once (``used`` False -> True, draft emptied), then the Response (side/function/level from
    the draft profile; ``submitted_on`` = today's date in the round's time zone, never a time;
    ``attributes`` = the draft's answers to the round's declared profile questions that are
    still among their choices) and its Answers are bulk-inserted. Nothing links the Response
    to the invitation. ``language`` (a code of ``settings.LANGUAGES``, the one the survey was
    answered in) is kept as the attribute ``language`` unless the round declares a question of
    that name: leaders filter and compare by it like any attribute, under the same minimum
    group size, so a translation that shifts answers shows.

    Returns None when the invitation was already used (double click, second tab).
    Raises DraftIncompleteError when the draft has no profile, RoundNotOpenError when the
    round is not open now.
    """
    survey_round = invitation.round
    with transaction.atomic():
        locked = _draft_locked(invitation)
        if locked is None:
            return None
        draft, handle, _stored = locked
        if not survey_round.is_open():
            raise RoundNotOpenError(survey_round.slug)
        profile = draft.get(DRAFT_PROFILE) or {}
        if not profile.get("side"):
            raise DraftIncompleteError("The profile step has not been completed.")
        items = instrument_items(instrument_id=survey_round.instrument_id)
        points = survey_round.instrument.scale_points
        cleaned_profile = profile_clean(
            side=profile.get("side"), function=profile.get("function"), level=profile.get("level")
        )
        answers = _draft_answers_current(
            draft.get(DRAFT_ANSWERS) or {},
            items,
            points,
            dont_know_offered(survey_round.instrument),
        )
        predicted = _draft_predicted_current(
            draft.get(DRAFT_PREDICTED), items, points, cleaned_profile["side"]
        )
        attributes = _draft_attributes_current(
            survey_round.profile_attributes or [], profile.get(DRAFT_ATTRIBUTES) or {}
        )

        declared = {entry.get("name") for entry in survey_round.profile_attributes or []}
        if language in dict(settings.LANGUAGES) and LANGUAGE_ATTRIBUTE not in declared:
            attributes[LANGUAGE_ATTRIBUTE] = language

        claimed = Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True)
        if claimed != 1:
            return None
        Draft.objects.filter(handle=handle).delete()
        (response,) = responses_write(
            survey_round=survey_round,
            cleaned=[(cleaned_profile, answers)],
            items=items,
            source=Response.Source.COLLECTED,
            submitted_on=round_today(survey_round),
            extra_fields=[{"attributes": attributes}],
            predicted=[predicted],
        )
    invitation.used = True
    return response
