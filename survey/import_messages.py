"""What people read about an import: an ImportReport in sentences, for the command and admin.

:func:`survey.services.imports.responses_import` returns numbers and lists; the wording lives
here only, so ``import_responses`` and the admin's import pages say the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from survey.models import Side

if TYPE_CHECKING:
    from survey.services.imports import ImportReport


def import_summary_lines(report: ImportReport) -> list[str]:
    """The report for people, one line each: what was (or would be) imported, per side, what
    was replaced, then the report's warnings."""
    counts = _("%(responses)s (%(answers)s)") % {
        "responses": _responses(report.response_count),
        "answers": ngettext_lazy("%(n)d answer", "%(n)d answers", report.answer_count)
        % {"n": report.answer_count},
    }
    where = {"counts": counts, "filename": report.filename, "round": report.round_slug}
    if report.dry_run:
        first = _(
            "Dry run: would import %(counts)s from %(filename)s into round %(round)s; "
            "nothing was written."
        )
    else:
        first = _("Imported %(counts)s from %(filename)s into round %(round)s.")
    labels = dict(Side.choices)
    per_side = ", ".join(
        f"{labels.get(side, side)} {count}" for side, count in report.side_counts.items()
    )
    lines = [str(first % where), str(_("Per side: %(sides)s.") % {"sides": per_side})]
    if report.replaced_count:
        replaced = (
            _("Would replace %(responses)s of the earlier import.")
            if report.dry_run
            else _("Replaced %(responses)s of the earlier import.")
        )
        lines.append(str(replaced % {"responses": _responses(report.replaced_count)}))
    return lines + list(report.warnings)


def import_column_lines(report: ImportReport) -> list[str]:
    """One line per column of the file: its name and what it feeds (or ``ignored``)."""
    return [
        f"{column.label} -> "
        + (f"{column.kind} {column.target}" if column.kind else str(_("ignored")))
        for column in report.columns
    ]


def _responses(n: int) -> str:
    return str(ngettext_lazy("%(n)d response", "%(n)d responses", n) % {"n": n})
