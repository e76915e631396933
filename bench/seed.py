"""``python -m bench.seed N --slug SLUG``: a new open round of N synthetic respondents."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import django


def main(argv: list[str] | None = None) -> None:
    """Create the round, insert the respondents, print what was done as JSON."""
    parser = argparse.ArgumentParser(description="Insert N synthetic respondents.")
    parser.add_argument("n", type=int)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--method", choices=["raw", "service"], default="raw")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    django.setup()
    from assessment.models import Instrument
    from assessment.services import DEFAULT_INSTRUMENT_PATH, instrument_load
    from bench.generate import respondents_generate
    from survey.services.rounds import round_create

    instrument = Instrument.objects.filter(slug="it-security-collaboration").first()
    instrument = instrument or instrument_load(path=DEFAULT_INSTRUMENT_PATH).instrument
    survey_round = round_create(
        instrument=instrument,
        name=f"Bench {args.n} respondents",
        slug=args.slug,
        opens_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2036, 11, 1, tzinfo=dt.UTC),
    )
    result = respondents_generate(round=survey_round, n=args.n, seed=args.seed, method=args.method)
    json.dump(
        {
            "respondents": result.respondents,
            "answers": result.answers,
            "seconds": round(result.seconds, 2),
            "respondents_per_second": round(result.respondents_per_second),
            "method": args.method,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
