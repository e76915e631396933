"""A round's CSV files, byte for byte: what the download view streams and ``export_csv``
writes.

summary.csv, gaps.csv, dont_know.csv, perceptions.csv and mirror_pairs.csv are drawn from
:func:`reports.results.round_results` (so they publish what the pages publish, from the same
cache); responses.csv streams one anonymised row per response. The rows and the encoding
are :mod:`reports.exports`'s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from reports import exports
from reports.disclosure import protection_sentence
from reports.parameters import round_protection
from reports.results import RELATIONS, round_results
from reports.vocabulary import DEFAULT_COMPARISON, Comparison
from survey.models import SurveyRound
from survey.selectors import PROFILE_FRAME_COLUMNS, responses_table, round_items_frame


def round_export(
    *,
    round: SurveyRound,
    kind: str,
    comparison: Comparison = DEFAULT_COMPARISON,
    bom: bool = True,
) -> Iterator[bytes]:
    """The bytes of export ``kind`` (``responses`` | ``summary`` | ``gaps`` | ``dont_know``
    | ``perceptions`` | ``mirror_pairs``) of ``round``: what the download view streams and
    ``export_csv`` writes, byte for byte.

    dont_know.csv has the share of "don't know" per statement for the groups of
    ``comparison``; perceptions.csv and mirror_pairs.csv the whole round's meta-perceptions
    and mirror patterns (the "relations" section of :func:`reports.results.round_results`;
    header only for a v1 round).

    summary.csv is the whole round by side (the dashboard's default figures); gaps.csv the
    figures of ``comparison``; both come from :func:`reports.results.round_results` and end
    with a ``disclosure`` column saying how the figures are protected. responses.csv streams
    one anonymised row per response (:func:`reports.exports.responses_row_chunks`, one
    query). ``bom``: start with a UTF-8 byte-order mark. Raises ValueError for an unknown
    kind.
    """
    if kind not in exports.KINDS:
        raise ValueError(f"Unknown export {kind!r}; choose one of {', '.join(exports.KINDS)}.")
    if kind == "responses":
        return _responses_bytes(round, bom)
    note = protection_sentence(round_protection(round), round.min_group_size)
    # A round of 1..k−1 respondents has no figures (Figures.too_few): its files are a header
    # and no row, as on the page, never a half-written download.
    if kind == "summary":
        summary = round_results(round=round).figures.summary
        rows = exports.summary_rows(summary if summary is not None else pd.DataFrame(), note)
    elif kind in ("perceptions", "mirror_pairs"):
        relations = round_results(round=round, include=[RELATIONS]).relations
        rows = (
            exports.perceptions_rows(relations.perceptions, note)
            if kind == "perceptions"
            else exports.mirror_pairs_rows(relations.mirror_patterns, note)
        )
    elif kind == "dont_know":
        figures = round_results(round=round, comparison=comparison).figures
        shares = figures.dont_know if figures.dont_know is not None else pd.DataFrame()
        rows = exports.dont_know_rows(shares, note)
    else:
        gaps = round_results(round=round, comparison=comparison).figures.gaps
        rows = exports.gaps_rows(gaps if gaps is not None else pd.DataFrame(), note)
    return exports.csv_bytes(rows, bom=bom)


def _responses_bytes(survey_round: SurveyRound, bom: bool) -> Iterator[bytes]:
    items = round_items_frame(round=survey_round)
    codes = [str(code) for code in items.loc[items["kind"] == "likert", "item_code"]]
    profiles, likert = responses_table(round=survey_round, item_codes=codes)
    yield from exports.csv_chunks(
        exports.responses_row_chunks(
            profiles,
            likert,
            item_codes=codes,
            attribute_names=[c for c in profiles.columns if c not in PROFILE_FRAME_COLUMNS],
            min_group_size=survey_round.min_group_size,
            dont_know_label=survey_round.instrument.dont_know_label,
        ),
        bom=bom,
    )
