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


# Instrument v2 in small: dimension ei with a mirror pair (ei1 about IT, ei2 about Security;
# ei1 also a meta-perception statement), dimension b of two plain statements, and the
# outcome statement ``overall`` under a dimension of its own.
V2_ITEMS = pd.DataFrame(
    [
        (
            "ei1",
            "ei",
            "Early involvement",
            "IT involves security early.",
            "likert",
            False,
            "ei2",
            "it",
            True,
        ),
        (
            "ei2",
            "ei",
            "Early involvement",
            "Security involves IT early.",
            "likert",
            False,
            "ei1",
            "security",
            False,
        ),
        ("b1", "b", "Dimension b", "Text b1", "likert", False, None, "", False),
        ("b2", "b", "Dimension b", "Text b2", "likert", True, None, "", False),
        ("b_c", "b", "Dimension b", "Any?", "text", False, None, "", False),
        (
            "overall",
            "outcome",
            "Overall",
            "Overall, IT and security work well together here.",
            "outcome",
            False,
            None,
            "",
            False,
        ),
    ],
    columns=[
        "item_code",
        "dimension_code",
        "dimension_name",
        "item_text",
        "kind",
        "reverse_scored",
        "mirror_of",
        "about",
        "meta_perception",
    ],
)
DONT_KNOW = "dk"


def make_v2_answers(rows: list[tuple[int, str, dict[str, object]]]) -> pd.DataFrame:
    """An instrument v2 answers frame from (response id, side, {item code: answer}); an
    answer is a value, ``DONT_KNOW``, or (value, predicted other-side value)."""
    records = []
    for rid, side, values in rows:
        for code, answer in values.items():
            value, predicted, dont_know = answer, float("nan"), False
            if answer == DONT_KNOW:
                value, dont_know = float("nan"), True
            elif isinstance(answer, tuple):
                value, predicted = answer
            records.append(
                (
                    rid,
                    side,
                    "infrastructure",
                    "individual",
                    code,
                    float(value),
                    dont_know,
                    float(predicted),
                )
            )
    return pd.DataFrame(
        records,
        columns=[
            "response_id",
            "side",
            "function",
            "level",
            "item_code",
            "value",
            "dont_know",
            "predicted_other",
        ],
    )
