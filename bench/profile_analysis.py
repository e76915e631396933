"""Profile the pure analysis (``reports.analysis.round_analysis``) on synthetic answers.

No database and no Django: the answers frame is built in memory with NumPy, shaped exactly
as ``survey.selectors.round_answers_frame`` returns it (``response_id`` int64; ``side``,
``function``, ``level``, ``item_code`` categoricals of str with sorted categories, ``side``
with it/security/other first; ``value`` int64), on the default instrument's items read from
its YAML file. Sides 45/40/15 %, levels 72/22/6 %, ~3 % of statements unanswered, ~2 % of
respondents without a function or a level (""), one rare function below k.

Run as ``python -m bench.profile_analysis 100000 [N ...]``: prints, per N and comparison
(the default IT vs Security, then leaders vs staff), the seconds of ``round_analysis`` and
its peak memory (tracemalloc peak of a second run; growth of the resident set, VmHWM).
``--region`` adds an imported ``region`` attribute column (as the selector adds one per
imported attribute) and a region comparison. ``--cprofile`` prints the top functions.

Checking that a change leaves the numbers alone: ``--save DIR`` pickles every frame of
``RoundAnalysis`` for a fixed set of small frames (fixed seeds, groups below k);
``--check DIR`` recomputes them and compares with ``pd.testing.assert_frame_equal``
(floats to 1e-9; dtypes compared loosely, see ``_compare``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import pickle
import pstats
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from assessment.validation import instrument_file_parse
from bench.measure import MB, _hwm_mb, _hwm_reset, _rss_mb
from survey.frames import items_frame as survey_items_frame

INSTRUMENT = Path(__file__).resolve().parent.parent / (
    "assessment/instruments/it-security-collaboration.yaml"
)
SIDES = np.array(["it", "security", "other"])
SIDE_SHARES = [0.45, 0.40, 0.15]
LEVELS = np.array(["individual", "manager", "executive"])
LEVEL_SHARES = [0.72, 0.22, 0.06]
# survey.models.Function's values (not imported: that needs Django).
FUNCTIONS = np.array(
    [
        "infrastructure",
        "applications",
        "service_desk",
        "architecture",
        "identity",
        "security_operations",
        "governance",
        "leadership",
        "other",
    ]
)
REGIONS = np.array(["EMEA", "APAC", "AMER", ""])
REGION_SHARES = [0.45, 0.25, 0.28, 0.02]
MISSING_SHARE = 0.03
BLANK_PROFILE_SHARE = 0.02
RARE_FUNCTION = "leadership"  # given to 3 respondents only: a group below k


def items_frame(path: Path = INSTRUMENT) -> tuple[pd.DataFrame, int]:
    """The instrument's items as ``survey.selectors.round_items_frame`` returns them (shaped
    by the same :func:`survey.frames.items_frame`), and its scale points."""
    spec = instrument_file_parse(path=path)
    rows = (
        (
            item.code,
            dimension.code,
            dimension.name,
            item.text,
            item.kind,
            item.reverse_scored,
            item.mirror_of,
        )
        for dimension in spec.dimensions
        for item in dimension.items
    )
    return survey_items_frame(rows), spec.scale_points


def _categorical(values: np.ndarray, first: tuple[str, ...] = ()) -> pd.Categorical:
    """A categorical of str with sorted categories (``first`` ones first), as the selector."""
    present = sorted(set(values.tolist()))
    categories = list(dict.fromkeys([*first, *present]))
    return pd.Categorical(values, categories=pd.Index(categories, dtype="str"))


def answers_frame(
    n: int, items: pd.DataFrame, points: int, *, seed: int = 0, region: bool = False
) -> pd.DataFrame:
    """``n`` respondents' Likert answers, one row per answer, respondent by respondent."""
    rng = np.random.default_rng(seed)
    likert = items.loc[items["kind"] == "likert"].reset_index(drop=True)
    dimensions = pd.factorize(likert["dimension_code"])[0]
    reverse = likert["reverse_scored"].to_numpy(bool)
    sides = rng.choice(len(SIDES), size=n, p=SIDE_SHARES)
    lean = np.random.default_rng(7).uniform(0.35, 0.8, size=(len(SIDES), dimensions.max() + 1))
    person = rng.normal(0, 0.15, size=(n, 1))
    mean = 1 + (points - 1) * (lean[sides][:, dimensions] + person)
    raw = np.clip(np.rint(mean + rng.normal(0, 0.2 * (points - 1), size=mean.shape)), 1, points)
    values = np.where(reverse, points + 1 - raw, raw).astype("int64")
    answered = rng.random(values.shape) >= MISSING_SHARE

    functions = FUNCTIONS[rng.integers(0, len(FUNCTIONS) - 1, size=n)].astype(object)
    functions[functions == RARE_FUNCTION] = "other"
    functions[rng.choice(n, size=min(3, n), replace=False)] = RARE_FUNCTION
    levels = LEVELS[rng.choice(len(LEVELS), size=n, p=LEVEL_SHARES)].astype(object)
    functions[rng.random(n) < BLANK_PROFILE_SHARE] = ""
    levels[rng.random(n) < BLANK_PROFILE_SHARE] = ""

    respondent, item = np.nonzero(answered)
    ids = np.arange(1, n + 1, dtype="int64") * 3 + 1000  # ids need not be dense
    data: dict[str, object] = {
        "response_id": ids[respondent],
        "side": _categorical(SIDES[sides], ("it", "security", "other"))[respondent],
        "function": _categorical(functions.astype(str))[respondent],
        "level": _categorical(levels.astype(str))[respondent],
    }
    if region:
        regions = REGIONS[rng.choice(len(REGIONS), size=n, p=REGION_SHARES)]
        data["region"] = _categorical(regions)[respondent]
    codes = likert["item_code"].astype(str).to_numpy()
    data["item_code"] = pd.Categorical.from_codes(
        pd.Categorical(codes, categories=sorted(codes)).codes[item],
        categories=pd.Index(sorted(codes), dtype="str"),
    )
    data["value"] = values[respondent, item]
    return pd.DataFrame(data)


def comparisons(analysis, *, region: bool = False) -> list:
    out = [analysis.DEFAULT_COMPARISON, analysis.LEADERS_VS_STAFF]
    if region:
        out.append(analysis.Comparison("region", ("EMEA",), ("APAC",)))
    return out


# --- timing -------------------------------------------------------------------------------


def _measure(run) -> dict[str, float]:
    gc.collect()
    before = _rss_mb()
    reset = _hwm_reset()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    rss = _hwm_mb() - before if reset else float("nan")
    gc.collect()
    tracemalloc.start()
    run()
    traced = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return {"seconds": seconds, "traced_mb": traced, "rss_mb": max(rss, 0.0)}


def profile(sizes: list[int], module: str, *, region: bool, cprofile: bool) -> None:
    analysis = importlib.import_module(module)
    items, points = items_frame()
    warm = answers_frame(200, items, points, seed=1, region=region)
    for comparison in comparisons(analysis, region=region):
        analysis.round_analysis(warm, items, points, 5, comparison=comparison)
    for n in sizes:
        answers = answers_frame(n, items, points, seed=0, region=region)
        frame_mb = answers.memory_usage(deep=True).sum() / MB
        print(f"N={n:,}: {len(answers):,} answer rows ({frame_mb:.0f} MB in memory)")
        for comparison in comparisons(analysis, region=region):

            def run(comparison=comparison, answers=answers):
                return analysis.round_analysis(answers, items, points, 5, comparison=comparison)

            figures = _measure(run)
            print(
                f"  {comparison.attribute}: {comparison.label_a} vs {comparison.label_b}: "
                f"{figures['seconds']:.2f} s, tracemalloc peak {figures['traced_mb']:.0f} MB, "
                f"RSS growth {figures['rss_mb']:.0f} MB"
            )
            if cprofile:
                profiler = cProfile.Profile()
                profiler.runcall(run)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


# --- checking outputs ---------------------------------------------------------------------

# (respondents, seed, k): small rounds where some groups fall below k.
CHECK_CASES = ((40, 3, 5), (150, 4, 10), (2_000, 5, 5), (20_000, 6, 5))
FRAMES = (
    "items",
    "scored_items",
    "respondent_scores",
    "summary",
    "gaps",
    "item_gaps",
    "distributions",
    "mirror_pairs",
)


def _check_comparisons(analysis) -> list:
    return [
        analysis.DEFAULT_COMPARISON,
        analysis.LEADERS_VS_STAFF,
        analysis.Comparison("function", ("identity", RARE_FUNCTION), ("governance",)),
        analysis.Comparison("side", ("it", "other"), ("security",)),
    ]


def _outputs(module: str) -> dict:
    analysis = importlib.import_module(module)
    items, points = items_frame()
    out = {}
    for n, seed, k in CHECK_CASES:
        answers = answers_frame(n, items, points, seed=seed)
        for comparison in _check_comparisons(analysis):
            result = analysis.round_analysis(answers, items, points, k, comparison=comparison)
            key = (n, seed, k, comparison.attribute, comparison.label_a, comparison.label_b)
            out[key] = {
                **{name: getattr(result, name) for name in FRAMES},
                "alignment_index": result.alignment_index,
                "respondents": result.respondents,
            }
    return out


def _compare(name: str, old: pd.DataFrame, new: pd.DataFrame) -> None:
    """Equal up to float noise; a categorical or str column may stand for an object one."""

    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype) or frame[column].dtype in (
                object,
                "str",
            ):
                frame[column] = frame[column].astype(object)
        return frame

    pd.testing.assert_frame_equal(
        plain(old), plain(new), check_exact=False, rtol=1e-9, atol=1e-9, obj=name
    )


def save(directory: Path, module: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "outputs.pkl").write_bytes(pickle.dumps(_outputs(module)))
    print(f"saved {len(CHECK_CASES) * 4} analyses to {directory / 'outputs.pkl'}")


def check(directory: Path, module: str) -> int:
    expected = pickle.loads((directory / "outputs.pkl").read_bytes())  # noqa: S301 (our own file)
    actual = _outputs(module)
    failures = 0
    for key, frames in expected.items():
        for name, old in frames.items():
            new = actual[key][name]
            try:
                if isinstance(old, pd.DataFrame):
                    _compare(f"{key} {name}", old, new)
                elif old is None or new is None:
                    assert old == new, (old, new)
                else:
                    assert abs(old - new) < 1e-9, (old, new)
            except AssertionError as error:
                failures += 1
                print(f"DIFFERENT {key} {name}:\n{error}\n")
    print(f"checked {len(expected)} analyses: {failures} frame(s) differ")
    return failures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--module", default="reports.analysis", help="analysis module to run")
    parser.add_argument("--region", action="store_true", help="add an imported region column")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--save", type=Path, help="pickle the outputs of the check cases here")
    parser.add_argument("--check", type=Path, help="compare the check cases with --save's")
    args = parser.parse_args(argv)
    if args.save:
        save(args.save, args.module)
    elif args.check:
        sys.exit(1 if check(args.check, args.module) else 0)
    else:
        profile(args.sizes, args.module, region=args.region, cprofile=args.cprofile)


if __name__ == "__main__":
    main()
