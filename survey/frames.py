"""The tidy frames of the survey's reads, built from plain rows. Pure: no Django.

:mod:`survey.selectors` fetches the rows from the database; the benchmark builds the same
rows from an instrument file. Both shape them here, so a frame has one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

ITEM_COLUMNS = [
    "item_code",
    "dimension_code",
    "dimension_name",
    "item_text",
    "kind",
    "reverse_scored",
    "mirror_of",
    "about",
    "meta_perception",
    "order",
]
# The fields a row must give; ``about`` and ``meta_perception`` may be left off (v1 rows).
REQUIRED_FIELDS = 7


def items_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Every item of an instrument, Likert, outcome and text, in the order of ``rows``.

    ``rows``: one ``(item_code, dimension_code, dimension_name, item_text, kind,
    reverse_scored, mirror_of[, about, meta_perception])`` per item, in instrument order;
    ``mirror_of`` is the mirrored item's code, or None or ``""`` for none; ``about`` and
    ``meta_perception`` (instrument v2) may be left off: "" and False.

    Columns (:data:`ITEM_COLUMNS`): ``item_code`` (str), ``dimension_code`` (str),
    ``dimension_name`` (str), ``item_text`` (str), ``kind`` (str: ``likert`` | ``outcome``
    | ``text``), ``reverse_scored`` (bool), ``mirror_of`` (str item code, or None),
    ``about`` (str: ``it`` | ``security`` | "" for none: whose behaviour a mirror statement
    describes), ``meta_perception`` (bool: each side also guessed the other side's answer),
    ``order`` (int64: 0-based position in the instrument). Default RangeIndex.
    """
    fields = ITEM_COLUMNS[:-1]
    padded = [
        (*row, "", False)[: len(fields)] if len(row) == REQUIRED_FIELDS else row for row in rows
    ]
    frame = pd.DataFrame(padded, columns=fields)
    frame["reverse_scored"] = frame["reverse_scored"].astype(bool)
    mirror = frame["mirror_of"].astype(object)
    frame["mirror_of"] = mirror.where(mirror.notna() & (mirror != ""), None)
    frame["about"] = frame["about"].fillna("").astype(str)
    frame["meta_perception"] = frame["meta_perception"].fillna(False).astype(bool)
    frame["order"] = np.arange(len(frame), dtype="int64")
    return frame
