"""Small hand-built frames shared by the tests of the pure analysis modules (panel, analysis,
disclosure, findings): items and answers as ``survey.selectors`` would give them."""

from __future__ import annotations

import pandas as pd


def make_items(points_items: dict[str, list[tuple[str, bool]]]) -> pd.DataFrame:
    """An items frame: {dimension: [(item code, reverse-scored)]}, plus one text item
    ``<dimension>_c`` per dimension."""
    rows = []
    for dimension, codes in points_items.items():
        for code, reverse in codes:
            rows.append(
                (code, dimension, f"Dimension {dimension}", f"Text {code}", "likert", reverse)
            )
        rows.append((f"{dimension}_c", dimension, f"Dimension {dimension}", "Any?", "text", False))
    return pd.DataFrame(
        rows,
        columns=[
            "item_code",
            "dimension_code",
            "dimension_name",
            "item_text",
            "kind",
            "reverse_scored",
        ],
    )


# Dimension a: a1 and a2 (reverse-scored); dimension b: b1 and b2.
ITEMS = make_items({"a": [("a1", False), ("a2", True)], "b": [("b1", False), ("b2", False)]})


def make_answers(rows: list[tuple[int, str, dict[str, int]]]) -> pd.DataFrame:
    """An answers frame from (response id, side, {item code: value}), every respondent an
    individual contributor in infrastructure."""
    return pd.DataFrame(
        [
            (rid, side, "infrastructure", "individual", code, value)
            for rid, side, values in rows
            for code, value in values.items()
        ],
        columns=["response_id", "side", "function", "level", "item_code", "value"],
    )


# One dimension, a, of two items scored as asked.
ONE_DIMENSION_ITEMS = pd.DataFrame(
    {
        "item_code": ["a1", "a2"],
        "dimension_code": ["a", "a"],
        "dimension_name": ["A", "A"],
        "kind": "likert",
        "reverse_scored": [False, False],
    }
)


def profile_answers(spec: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    """Rows from (side, level, function, value of both items, how many respondents)."""
    rows, respondent = [], 0
    for side, level, function, value, count in spec:
        for _ in range(count):
            respondent += 1
            rows.extend((respondent, side, function, level, code, value) for code in ("a1", "a2"))
    return pd.DataFrame(
        rows, columns=["response_id", "side", "function", "level", "item_code", "value"]
    )
