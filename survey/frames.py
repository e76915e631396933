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
    "order",
]


def items_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Every item of an instrument, Likert and text, in the order of ``rows``.

    ``rows``: one ``(item_code, dimension_code, dimension_name, item_text, kind,
    reverse_scored, mirror_of)`` per item, in instrument order; ``mirror_of`` is the mirrored
    item's code, or None or ``""`` for none.

    Columns (:data:`ITEM_COLUMNS`): ``item_code`` (str), ``dimension_code`` (str),
    ``dimension_name`` (str), ``item_text`` (str), ``kind`` (str: ``likert`` | ``text``),
    ``reverse_scored`` (bool), ``mirror_of`` (str item code, or None), ``order`` (int64:
    0-based position in the instrument). Default RangeIndex.
    """
    frame = pd.DataFrame(list(rows), columns=ITEM_COLUMNS[:-1])
    frame["reverse_scored"] = frame["reverse_scored"].astype(bool)
    mirror = frame["mirror_of"].astype(object)
    frame["mirror_of"] = mirror.where(mirror.notna() & (mirror != ""), None)
    frame["order"] = np.arange(len(frame), dtype="int64")
    return frame
