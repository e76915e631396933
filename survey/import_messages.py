"""What people read about an import: an ImportReport in sentences, for the command and admin.

:func:`survey.services.imports.responses_import` returns numbers and lists; the wording lives
here only, so ``import_responses`` and the admin's import pages say the same thing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from survey.models import Side
from survey.tables import names_summary

if TYPE_CHECKING:
    from survey.importing import Column
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


def import_columns_read(report: ImportReport) -> tuple[list[Column], str]:
    """The columns of the file that feed something, in file order, and one sentence for the
    others (``"20,000 columns ignored: 'c1', … and 19,995 more"``; ``""`` when none), so that
    a file of thousands of columns gives a short list. Used by the command and the admin."""
    fed = [column for column in report.columns if column.kind]
    ignored = [column.label for column in report.columns if not column.kind]
    if not ignored:
        return fed, ""
    return fed, str(
        ngettext_lazy(
            "%(count)s column ignored: %(names)s",
            "%(count)s columns ignored: %(names)s",
            len(ignored),
        )
        % {"count": f"{len(ignored):,}", "names": names_summary(ignored)}
    )


def import_column_lines(report: ImportReport, *, said: Collection[str] = ()) -> list[str]:
    """One line per column that feeds something (its name and what it feeds), then one line
    for the ignored columns, however many, unless ``said`` (the lines already shown, such as
    :func:`import_summary_lines`, whose warnings name the ignored columns) holds that line."""
    fed, ignored = import_columns_read(report)
    lines = [f"{column.label} -> {column.kind} {column.target}" for column in fed]
    return [*lines, ignored] if ignored and ignored not in said else lines


def _responses(n: int) -> str:
    return str(ngettext_lazy("%(n)d response", "%(n)d responses", n) % {"n": n})
