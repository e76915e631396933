"""Import writes: responses from another survey tool's file, checked, stored as one batch.

The service returns an :class:`ImportReport` of numbers and lists; the sentences people read
about it are written once, in :mod:`survey.import_messages`, for the command and the admin.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from audit.models import Entry
from audit.services import Actor, entry_record
from survey.import_mapping import ColumnMapping
from survey.importing import Column, ImportSchema, ParsedRow, table_parse
from survey.models import Function, ImportBatch, Level, Response, Side, SurveyRound
from survey.scale import PREDICTED_SUFFIX
from survey.services._common import ItemInfo, instrument_items
from survey.services.responses import (
    answer_clean,
    dont_know_offered,
    predicted_clean,
    profile_clean,
    responses_write,
)
from survey.tables import ImportFileError, Problem, problems_message, table_read
from survey.zones import round_today, round_zone

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


def _import_schema(survey_round: SurveyRound, items: dict[str, ItemInfo]) -> ImportSchema:
    instrument = survey_round.instrument
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
        dont_know_label=instrument.dont_know_label if dont_know_offered(instrument) else "",
        meta_items=frozenset(code for code, info in items.items() if info.meta_perception),
        translated_scale_labels=tuple(
            tuple(instrument.scale_labels_in(language)) for language in instrument.languages[1:]
        ),
        translated_dont_know_labels=tuple(
            instrument.dont_know_label_in(language) for language in instrument.languages[1:]
        ),
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
    by: Actor = None,
) -> ImportReport:
    """Import a file of responses from another survey tool into ``round``, all or nothing.

    ``file`` is the file's bytes or a binary file object; ``filename`` is recorded on the
    ImportBatch. The file is read by :func:`survey.tables.table_read` (CSV or ``.xlsx``,
    ``header_rows``, ``encoding``) and mapped by :func:`survey.importing.table_parse`
    (``mapping``, extra ``attributes``, ``strict``); every row is then validated with the
    same checks as collected responses (``profile_clean``, ``answer_clean``: Likert points
    1..scale_points, comments up to COMMENT_MAX_LENGTH characters). ``submitted_on`` comes
    from a ``submitted_on`` column, else today in the round's time zone.

    Unless ``dry_run``, writes in one transaction an ImportBatch (file name, SHA-256, time,
    count) and the responses (``source=imported``, linked to the batch) with their answers,
    by bulk inserts, and an audit entry saying who (``by``) imported how many responses, or
    replaced how many. ``replace`` first deletes earlier batches of the round with the same
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
    items = instrument_items(instrument_id=round.instrument_id)
    points = round.instrument.scale_points
    dont_know = dont_know_offered(round.instrument)
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
    predicted: list[dict[str, int]] = []
    extras: list[dict[str, Any]] = []
    for row in parsed.rows:
        profile: dict[str, str] = {}
        if row.side:
            try:
                profile = profile_clean(side=row.side, function=row.function, level=row.level)
            except ValueError as exc:
                problems.append(Problem(row.line, None, str(exc)))
        answers: dict[str, Any] = {}
        for code, value in row.answers.items():
            try:
                value = answer_clean(
                    code=code, value=value, items=items, points=points, dont_know=dont_know
                )
            except ValueError as exc:
                column = parsed.column_for(code)
                problems.append(Problem(row.line, column.label if column else None, str(exc)))
            else:
                if value is not None:
                    answers[code] = value
        guesses: dict[str, int] = {}
        for code, value in row.predicted.items():
            try:
                guess = predicted_clean(
                    code=code, value=value, items=items, points=points, side=row.side
                )
            except ValueError as exc:
                column = parsed.column_for(code + PREDICTED_SUFFIX)
                problems.append(Problem(row.line, column.label if column else None, str(exc)))
            else:
                if guess is not None:
                    guesses[code] = guess
        cleaned.append((profile, answers))
        predicted.append(guesses)
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
            replaced_files = []
            if replaced is not None:
                replaced_files = sorted(set(replaced.values_list("filename", flat=True)))
                replaced.delete()
            batch = ImportBatch.objects.create(
                round=round, filename=filename, sha256=sha256, response_count=len(cleaned)
            )
            responses_write(
                survey_round=round,
                cleaned=cleaned,
                items=items,
                source=Response.Source.IMPORTED,
                submitted_on=today,
                extra_fields=[{**extra, "import_batch": batch} for extra in extras],
                predicted=predicted,
            )
            detail: dict[str, Any] = {"responses": len(cleaned), "sha256": sha256}
            if replaced_files:
                detail |= {"replaced": report.replaced_count, "replaced_files": replaced_files}
            entry_record(
                action=Entry.Action.RESPONSES_REPLACED
                if replaced_files
                else Entry.Action.RESPONSES_IMPORTED,
                by=by,
                round=round,
                subject=filename,
                detail=detail,
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


def import_batches_delete(*, batches: Any, by: Actor = None) -> int:
    """Delete the imported files ``batches`` (a queryset of ImportBatch) and their
    responses, recording for each who deleted it and how many responses went, in one
    transaction. Returns the number of responses deleted."""
    deleted = 0
    with transaction.atomic():
        for batch in batches.select_related("round"):
            count = batch.responses.count()
            entry_record(
                action=Entry.Action.RESPONSES_DELETED,
                by=by,
                round=batch.round,
                subject=batch.filename,
                detail={"responses": count},
            )
            batch.delete()
            deleted += count
    return deleted
