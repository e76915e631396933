"""Admin pages to import a file of responses into a round: upload, preview, confirm.

Thin: the form checks the upload, ``survey.services.imports.responses_import`` does the work (a dry
run for the preview, the real import on confirmation). Between the two steps the file waits
in the staff member's session, so any app server can finish the import.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from survey.import_mapping import ColumnMapping, mapping_load
from survey.import_messages import import_columns_read, import_summary_lines
from survey.models import SurveyRound
from survey.services.imports import ImportReport, responses_import
from survey.tables import MAX_HEADER_ROWS, ImportFileError
from survey.uploads import FileSizeValidator, size_text, upload_cap, uploads_capped

ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
SESSION_KEY = "survey_import_pending"
PROBLEMS_SHOWN = 50

# The command takes any encoding Python reads (--encoding); the form offers the usual ones.
ENCODING_CHOICES = [
    ("", _("Detect (a byte-order mark, UTF-16/32, UTF-8, else Windows-1252)")),
    ("utf-8", _("UTF-8")),
    ("utf-16", _("UTF-16 (Excel's Unicode text)")),
    ("cp1252", _("Windows-1252 (Western European)")),
    ("cp1250", _("Windows-1250 (Central European)")),
    ("cp1251", _("Windows-1251 (Cyrillic)")),
    ("cp1253", _("Windows-1253 (Greek)")),
    ("cp1254", _("Windows-1254 (Turkish)")),
    ("shift_jis", _("Shift-JIS (Japanese)")),
    ("cp932", _("Windows-932 (Japanese Shift-JIS as Windows writes it)")),
    ("gb18030", _("GB18030 (Chinese, simplified; includes GBK)")),
    ("big5", _("Big5 (Chinese, traditional)")),
    ("cp949", _("Windows-949 (Korean; includes EUC-KR)")),
]


class ImportUploadForm(forms.Form):
    """The file, an optional mapping file and the reading options."""

    file = forms.FileField(
        label=_("Responses file"),
        help_text=_("CSV (comma, semicolon or tab) or .xlsx, one row per respondent."),
        validators=[
            FileSizeValidator(
                "FRICTION_IMPORT_MAX_BYTES",
                _("Split it, or import it with the import_responses command, which has no cap."),
            )
        ],
    )
    mapping = forms.FileField(
        label=_("Mapping file (optional)"),
        required=False,
        help_text=_("YAML that maps other column names and values to items and profile fields."),
        validators=[FileSizeValidator("FRICTION_MAPPING_MAX_BYTES")],
    )
    header_rows = forms.IntegerField(
        label=_("Header rows"),
        min_value=1,
        max_value=MAX_HEADER_ROWS,
        initial=1,
        help_text=_("Rows of headers at the top: 1 usually, SurveyMonkey 2, Qualtrics 3."),
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV)"), choices=ENCODING_CHOICES, required=False
    )
    strict = forms.BooleanField(
        label=_("Refuse columns that map to nothing"),
        required=False,
        help_text=_("Otherwise they are ignored and listed in the preview."),
    )
    replace = forms.BooleanField(
        label=_("Replace an earlier import of this file"),
        required=False,
        help_text=_("Deletes the responses of an earlier import with the same content or name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The template owns the <form> tag, the CSRF token and the buttons.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return upload
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Upload a .csv or .xlsx file (this one is %(name)s).") % {"name": upload.name}
            )
        return upload

    def clean_mapping(self) -> ColumnMapping | None:
        upload = self.cleaned_data.get("mapping")
        if not upload:
            return None
        text = upload.read()
        try:
            mapping = mapping_load(content=text, source="mapping file")
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.mapping_text = text.decode("utf-8-sig")
        return mapping


class ConfirmForm(forms.Form):
    """The confirmation step: names the pending upload kept in the session."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _round_or_404(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int) -> Any:
    survey_round = SurveyRound.objects.select_related("instrument").filter(pk=object_id).first()
    if survey_round is None:
        raise Http404
    if not model_admin.has_change_permission(request, survey_round):
        raise PermissionDenied
    return survey_round


def _render_form(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    survey_round: SurveyRound,
    form: ImportUploadForm,
    problems: ImportFileError | None = None,
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "round": survey_round,
        "form": form,
        "problems": problems.problems[:PROBLEMS_SHOWN] if problems else [],
        "problem_count": len(problems.problems) if problems else 0,
        "problem_text": str(problems) if problems else "",
        "max_size": size_text(upload_cap("FRICTION_IMPORT_MAX_BYTES")),
        "scale_labels": survey_round.instrument.scale_labels,
        "title": _("Import responses into %(round)s") % {"round": survey_round.name},
    }
    return render(request, "survey/admin/import_form.html", context)


def _preview_context(report: ImportReport, survey_round: SurveyRound) -> dict[str, Any]:
    items = list(report.items)
    shown_items = [code for code in items if any(c.target == code for c in report.columns)]
    rows = [
        {
            "line": row.line,
            "side": row.side,
            "function": row.function,
            "level": row.level,
            "attributes": [row.attributes.get(name, "") for name in report.attributes],
            "answers": [_short(row.answers.get(code)) for code in shown_items],
        }
        for row in report.preview
    ]
    fed, ignored = import_columns_read(report)
    if ignored in import_summary_lines(report):
        ignored = ""  # the summary above the table already names them: once is enough
    return {
        "preview_items": shown_items,
        "preview_rows": rows,
        "fed_columns": fed,
        "ignored_columns": ignored,
    }


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def round_import_view(model_admin: admin.ModelAdmin) -> Callable[..., HttpResponse]:
    """Build the upload-and-preview view for ``model_admin`` (the SurveyRound admin).

    GET shows the form; POST checks the upload with a dry run and shows the preview (the
    mapping of columns, the first rows, the counts) with a confirm button, or the form again
    with every problem. Nothing is written here.
    """

    @uploads_capped(ImportUploadForm)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, object_id: int) -> HttpResponse:
        survey_round = _round_or_404(model_admin, request, object_id)
        if request.method != "POST":
            return _render_form(request, model_admin, survey_round, ImportUploadForm())
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _render_form(request, model_admin, survey_round, form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        options = {
            "header_rows": form.cleaned_data["header_rows"],
            "encoding": form.cleaned_data["encoding"] or None,
            "strict": form.cleaned_data["strict"],
            "replace": form.cleaned_data["replace"],
        }
        try:
            report = responses_import(
                round=survey_round,
                file=content,
                filename=upload.name,
                mapping=form.cleaned_data["mapping"],
                dry_run=True,
                **options,
            )
        except ImportFileError as exc:
            return _render_form(request, model_admin, survey_round, form, problems=exc)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token,
            "round": survey_round.pk,
            "filename": report.filename,
            "content": base64.b64encode(content).decode("ascii"),
            "mapping": getattr(form, "mapping_text", ""),
            "options": options,
        }
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "round": survey_round,
            "report": report,
            "summary": import_summary_lines(report),
            "confirm_form": ConfirmForm(initial={"token": token}),
            "title": _("Check the import into %(round)s") % {"round": survey_round.name},
            **_preview_context(report, survey_round),
        }
        return render(request, "survey/admin/import_preview.html", context)

    return view


def round_import_confirm_view(model_admin: admin.ModelAdmin) -> Callable[..., HttpResponse]:
    """Build the confirm view: POST with the preview's token imports the file kept in the
    session, then redirects to the round with a message; a stale or unknown token goes back to
    the upload form with a message; a file that fails now (imported meanwhile) shows the form
    with the problem."""

    @require_http_methods(["POST"])
    def view(request: HttpRequest, object_id: int) -> HttpResponse:
        survey_round = _round_or_404(model_admin, request, object_id)
        upload_url = reverse("admin:survey_surveyround_import", args=[survey_round.pk])
        form = ConfirmForm(request.POST)
        pending = request.session.get(SESSION_KEY) or {}
        if (
            not form.is_valid()
            or not isinstance(pending, dict)
            or pending.get("round") != survey_round.pk
            or not secrets.compare_digest(str(pending.get("token", "")), form.cleaned_data["token"])
        ):
            messages.warning(
                request, _("That preview has expired or was replaced: upload the file again.")
            )
            return HttpResponseRedirect(upload_url)
        try:
            content = base64.b64decode(pending["content"])
            mapping = (
                mapping_load(content=pending["mapping"], source="mapping file")
                if pending.get("mapping")
                else None
            )
            report = responses_import(
                round=survey_round,
                file=content,
                filename=pending["filename"],
                mapping=mapping,
                by=request.user,
                **pending["options"],
            )
        except (KeyError, TypeError, binascii.Error):
            request.session.pop(SESSION_KEY, None)
            messages.warning(request, _("That preview could not be read: upload the file again."))
            return HttpResponseRedirect(upload_url)
        except ImportFileError as exc:
            request.session.pop(SESSION_KEY, None)
            return _render_form(request, model_admin, survey_round, ImportUploadForm(), exc)
        request.session.pop(SESSION_KEY, None)
        messages.success(request, " ".join(import_summary_lines(report)))
        return HttpResponseRedirect(
            reverse("admin:survey_surveyround_change", args=[survey_round.pk])
        )

    return view
