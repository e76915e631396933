"""Pure findings of a round for a leader: leaders versus staff within each side, the top
findings to act on first, and the words that recur across comments. No Django."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from assessment.scoring import likert_items
from reports.analysis import GroupComparison, compare_groups
from reports.panel import respondent_scores, score_items
from reports.vocabulary import (
    EXACT,
    LEADERS_VS_STAFF,
    STATUS_BREAKDOWN,
    STATUS_WATCH,
    Protection,
    Thresholds,
)

WITHIN_SIDES = ("it", "security")


def leaders_versus_staff(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    points: int,
    min_group_size: int,
    *,
    sides: Sequence[str] = WITHIN_SIDES,
    thresholds: Thresholds | None = None,
    protection: Protection = EXACT,
) -> dict[str, GroupComparison]:
    """Leaders (executives and managers) against staff (individual contributors) within
    each side: {side: :func:`reports.analysis.compare_groups` result}.

    ``answers`` as in :func:`reports.analysis.round_analysis`, unfiltered. Each group is
    shown by the one rule of :func:`reports.disclosure.cell_shown`, its figures published
    under ``protection`` like every other view's. Gap = leaders − staff, in points.
    """
    likert = likert_items(items).reset_index(drop=True)
    out: dict[str, GroupComparison] = {}
    side_values = answers["side"].astype(object).astype(str)
    for side in sides:
        part = answers.loc[(side_values == side).to_numpy()]
        scored = score_items(part, likert, points)
        scores = respondent_scores(part, likert, points)
        out[side] = compare_groups(
            scored,
            scores,
            likert,
            points,
            comparison=LEADERS_VS_STAFF,
            min_group_size=min_group_size,
            thresholds=thresholds,
            protection=protection,
        )
    return out


def top_findings(gaps: pd.DataFrame, limit: int = 3) -> pd.DataFrame:
    """The dimensions a leader should act on first: up to ``limit`` rows of ``gaps``.

    ``gaps`` is the ``dimensions`` frame of :func:`reports.analysis.compare_groups`.
    Breakdowns come first, largest |gap| first; when there are fewer than ``limit``, the
    largest dimensions on *watch* fill the list. Suppressed, aligned and divided dimensions
    never appear. Same columns as ``gaps``.
    """
    order = gaps.assign(_abs=gaps["gap"].abs())
    picked = [
        order.loc[order["status"] == status].sort_values("_abs", ascending=False, kind="stable")
        for status in (STATUS_BREAKDOWN, STATUS_WATCH)
    ]
    return pd.concat(picked).head(limit).drop(columns="_abs").reset_index(drop=True)


# Common English function words and survey filler, lower case.
_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don done down during each else
    even ever every few for from further get gets got had has have having he her here hers him
    his how i if in into is it its itself just let like many may me might more most much must
    my no nor not now of off often on once one only or other our ours out over own per quite
    rather really same shall she should so some such than that the their theirs them then
    there these they this those though through to too under until up upon us very was we were
    what when where whether which while who whom whose why will with within without would yet
    you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def recurring_words(
    texts: Iterable[str],
    *,
    min_comments: int = 2,
    stop_words: frozenset[str] = STOP_WORDS,
    limit: int = 30,
) -> pd.DataFrame:
    """Words that come back across comments, most frequent first.

    Each text is lower-cased and split into words (runs of letters, with inner apostrophes
    or hyphens); stop-words and one-letter words are dropped. A word counts once per
    comment. Returns at most ``limit`` rows, columns ``word`` (str) and ``comments`` (int:
    how many comments use it), only words in at least ``min_comments`` comments, sorted by
    ``comments`` descending then ``word``.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        words = {
            word.replace("’", "'")
            for word in _WORD.findall(str(text).lower())
            if len(word) > 1 and word.replace("’", "'") not in stop_words
        }
        counts.update(words)
    rows = sorted(
        ((word, n) for word, n in counts.items() if n >= min_comments),
        key=lambda pair: (-pair[1], pair[0]),
    )[:limit]
    return pd.DataFrame(rows, columns=["word", "comments"]).astype({"comments": "int64"})
