"""Synthetic answers for the simulation tests of the analysis: the default instrument's item
structure (7 dimensions, 38 Likert statements, its reverse-scored ones) answered by
respondents drawn from one population, so that any difference between two groups is noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

INSTRUMENT = (
    Path(__file__).resolve().parents[2]
    / "assessment"
    / "instruments"
    / "it-security-collaboration.yaml"
)
POINTS = 5


def instrument_items() -> pd.DataFrame:
    """The default instrument's items frame, as ``survey.selectors`` gives it."""
    data = yaml.safe_load(INSTRUMENT.read_text(encoding="utf-8"))
    rows = [
        (
            item["code"],
            dimension["code"],
            dimension["name"],
            item["text"],
            item["kind"],
            bool(item.get("reverse_scored", False)),
            item.get("mirror_of"),
        )
        for dimension in data["dimensions"]
        for item in dimension["items"]
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "item_code",
            "dimension_code",
            "dimension_name",
            "item_text",
            "kind",
            "reverse_scored",
            "mirror_of",
        ],
    )


ITEMS = instrument_items()
LIKERT = ITEMS.loc[ITEMS["kind"] == "likert"].reset_index(drop=True)


def favourable_scores(
    rng: np.random.Generator,
    n: int,
    *,
    centre: float = 3.6,
    loading: float = 0.7,
    noise: float = 0.8,
) -> np.ndarray:
    """n × J item scores (favourable direction, 1..5) of one population: per respondent and
    dimension a latent attitude θ ~ N(0, 1); item score = round(centre + loading·θ + e),
    e ~ N(0, noise²), clipped to 1..5. Inter-item correlation about 0.4 within a dimension
    (alpha about 0.75 on 5 statements), unimodal, slightly favourable, as survey scales are.
    """
    dimensions = pd.factorize(LIKERT["dimension_code"])[0]
    theta = rng.standard_normal((n, dimensions.max() + 1))[:, dimensions]
    latent = centre + loading * theta + noise * rng.standard_normal((n, len(LIKERT)))
    return np.clip(np.rint(latent), 1, POINTS)


def answers_frame(
    groups: dict[str, np.ndarray], rng: np.random.Generator, missing: float = 0.05
) -> pd.DataFrame:
    """An answers frame from {side: n × J favourable item scores}: reverse-scored statements
    turned back to the answer as asked; each answer left out with probability ``missing``."""
    reverse = LIKERT["reverse_scored"].to_numpy(bool)
    codes = pd.Categorical(LIKERT["item_code"], categories=list(LIKERT["item_code"]))
    frames, first = [], 1
    for side, scores in groups.items():
        n, j = scores.shape
        raw = np.where(reverse, POINTS + 1 - scores, scores).astype("int64")
        kept = rng.random((n, j)) >= missing
        respondent, item = np.nonzero(kept)
        frames.append(
            pd.DataFrame(
                {
                    "response_id": first + respondent,
                    "side": side,
                    "function": "infrastructure",
                    "level": "individual",
                    "item_code": codes[item],
                    "value": raw[respondent, item],
                }
            )
        )
        first += n
    frame = pd.concat(frames, ignore_index=True)
    frame["item_code"] = pd.Categorical(frame["item_code"], categories=codes.categories)
    return frame
