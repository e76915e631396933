"""The parameters of a round's figures that the settings decide: status thresholds, how
counts and means are published, and how many writers a dimension's comments need.

Read here once for every page, CSV file and command (:mod:`reports.results`,
:mod:`reports.choices`, :mod:`reports.downloads`), so that no two places read a setting
their own way.
"""

from __future__ import annotations

from django.conf import settings

from reports.disclosure import settings_protection
from reports.vocabulary import Protection, Thresholds
from survey.models import SurveyRound

DEFAULT_COMMENT_MIN_GROUP_SIZE = 10


def report_thresholds() -> Thresholds:
    """The status thresholds from the FRICTION_* settings (see docs/methodology.md)."""
    return Thresholds(
        gap_points=settings.FRICTION_BREAKDOWN_GAP_POINTS,
        q_value=settings.FRICTION_BREAKDOWN_Q_VALUE,
        effect_size=settings.FRICTION_BREAKDOWN_EFFECT_SIZE,
        agreement=settings.FRICTION_DIVIDED_RWG,
    )


def round_protection(survey_round: SurveyRound) -> Protection:
    """How counts and means of ``survey_round`` are published: the cell-key method's secret
    and bounds from the FRICTION_CELL_KEY_SECRET, FRICTION_COUNT_BOUND and
    FRICTION_SUM_BOUND settings, the bounds by default from the round's k."""
    return settings_protection(settings, survey_round.min_group_size)


def comment_threshold(*, round: SurveyRound) -> int:
    """Writers a dimension needs before its comments are shown: the larger of the setting
    FRICTION_COMMENT_MIN_GROUP_SIZE (default 10) and the round's k."""
    setting = getattr(settings, "FRICTION_COMMENT_MIN_GROUP_SIZE", DEFAULT_COMMENT_MIN_GROUP_SIZE)
    return max(int(setting), round.min_group_size)
