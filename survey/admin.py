"""Admin for rounds (editable), invitations and responses (read-only, nothing identifying)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from audit.models import ROUND_FIELD_LABELS, Entry
from survey.admin_views import round_import_confirm_view, round_import_view
from survey.attributes import (
    attribute_label,
    attribute_translations_missing,
    profile_attributes_problems,
)
from survey.models import (
    Answer,
    ImportBatch,
    Invitation,
    Response,
    SendJob,
    SurveyRound,
    language_codes,
)
from survey.services.imports import import_batches_delete
from survey.services.rounds import (
    instrument_newest,
    round_delete,
    round_profile_attributes_problems,
    round_settings_save,
)
from survey.zones import local_date_text, reread_in_zone, round_zone, zone_or_none


class ProfileAttributesField(forms.JSONField):
    """The declared profile questions as indented JSON; empty means none.

    A form sent back with an error shows the text as it was typed, whatever it parses to
    (``null`` stays ``null``, not ``[]``). Text that is not JSON is refused naming the line
    and column where the parser stopped; ``null`` is refused as not a list.
    """

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value  # what was typed, shown again with its error
        return json.dumps(value or [], ensure_ascii=False, indent=2, cls=self.encoder)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        return forms.fields.InvalidJSONInput(data)  # shown as typed, never re-read

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return []
        if not isinstance(value, str) or self.disabled:
            converted = super().to_python(value)
            return [] if converted is None else converted
        try:
            converted = json.loads(value, cls=self.decoder)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not valid JSON: line %(line)s, column %(column)s: %(error)s"),
                code="invalid",
                params={"line": error.lineno, "column": error.colno, "error": error.msg},
            ) from error
        except RecursionError as error:  # "[[[[...]]]]" nested beyond the parser's depth
            raise forms.ValidationError(
                _("Not valid JSON: the lists or objects are nested too deeply."), code="invalid"
            ) from error
        if converted is None:
            raise forms.ValidationError(
                _("Profile attributes must be a JSON list; write [] for none (null is not one)."),
                code="invalid",
            )
        return converted


class SurveyRoundAdminForm(forms.ModelForm):
    """Round dates are typed as wall-clock times in the round's own time zone; the extra
    profile questions as JSON, which cannot drop what the round's responses hold."""

    # The languages with a catalog (settings.LANGUAGES), read when the form is made.
    language = forms.TypedChoiceField(
        choices=lambda: list(settings.LANGUAGES),
        initial="en",
        required=False,
        label=_("Language"),
        help_text=_(
            "The language of the round's emails, for invitees whose list gives none "
            "(respondents choose their own on the survey)."
        ),
    )

    class Meta:
        model = SurveyRound
        fields = [
            "instrument",
            "name",
            "slug",
            "opens_at",
            "closes_at",
            "timezone",
            "language",
            "min_group_size",
            "profile_attributes",
        ]
        field_classes = {"profile_attributes": ProfileAttributesField}

        widgets = {"profile_attributes": forms.Textarea(attrs={"rows": 8, "cols": 80})}
        help_texts = {
            "profile_attributes": _(
                "Optional questions asked on the profile page beyond side, function and level, "
                'as a JSON list, e.g. [{"name": "region", "label": "Region", "choices": '
                '["EMEA", "Americas", "APAC"]}]. Names: lowercase letters, digits and _. '
                "Respondents may always answer “Prefer not to say”. Once responses hold an "
                "answer, that attribute and its chosen values cannot be removed. Write the label "
                "and choices in the round's language (above); to show them to respondents in "
                'another language, add "translations" to the question, e.g. "translations": '
                '{"fr": {"label": "Région", "choices": ["EMEA", "Amériques", "APAC"]}}: one '
                "translated choice per choice, in the same order. The answer kept is the "
                "choice as first written, whatever the language."
            ),
            "opens_at": _("Date and time in the round's time zone."),
            "closes_at": _("Date and time in the round's time zone; leave empty to keep open."),
            "timezone": _("An IANA time zone name, e.g. Europe/Paris."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One range for k, said once: the model's bounds, not the column type's 0..32767.
        field = self.fields["min_group_size"]
        floor, ceiling = settings.FRICTION_MIN_GROUP_SIZE_FLOOR, settings.FRICTION_MAX_GROUP_SIZE
        field.min_value, field.max_value = floor, ceiling
        field.validators = [MinValueValidator(floor), MaxValueValidator(ceiling)]
        field.widget.attrs.update({"min": floor, "max": ceiling})

    def clean(self) -> dict:
        cleaned = super().clean()
        zone = zone_or_none(cleaned.get("timezone"))
        if zone is not None:
            # Django read the fields in the admin's active time zone; re-read the same wall
            # clock in the zone the round runs in.
            for name in ("opens_at", "closes_at"):
                value = cleaned.get(name)
                if value is not None:
                    try:
                        cleaned[name] = reread_in_zone(value, zone)
                    except ValidationError as exc:
                        self.add_error(name, exc)
        attributes = cleaned.get("profile_attributes")
        # Invalid JSON or a malformed list is reported by the field or the model's validator;
        # only a well-formed list can be checked against the responses.
        if (
            self.instance.pk is not None
            and "profile_attributes" in cleaned
            and not profile_attributes_problems(attributes, languages=language_codes())
        ):
            problems = round_profile_attributes_problems(
                round=self.instance, profile_attributes=attributes
            )
            if problems:
                self.add_error("profile_attributes", problems)
        return cleaned


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    form = SurveyRoundAdminForm
    # Narrow enough for a 1280 px screen beside the admin's menu and filters (issue 18): the
    # actions come right after the name, the instrument is its slug and version, the dates
    # share one column, the slug is searched and shown on the round's page.
    list_display = ["name", "round_actions", "instrument_version", "round_dates"]
    list_filter = ["instrument", "opens_at", "closes_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "opens_at"
    list_select_related = ["instrument"]
    fields = [*SurveyRoundAdminForm.Meta.fields, "change_history"]
    readonly_fields = ["change_history"]
    # Adds the import and the staff round page to the buttons at the top of a round's page.
    change_form_template = "survey/admin/round_change_form.html"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new round starts on the newest instrument (:func:`instrument_newest`)."""
        initial = super().get_changeform_initial_data(request)
        if "instrument" not in initial and (newest := instrument_newest()) is not None:
            initial["instrument"] = newest.pk
        return initial

    def save_model(
        self, request: HttpRequest, obj: SurveyRound, form: forms.ModelForm, change: bool
    ) -> None:
        """Save through the service, which records each change of k or the dates; then warn
        (the round is saved) when a respondent would read a profile question untranslated."""
        round_settings_save(round=obj, by=request.user)
        warning = untranslated_questions_warning(obj)
        if warning:
            self.message_user(request, warning, level=messages.WARNING)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show and read the round's dates in the round's own time zone; offer the round's
        import and staff page at the top (:func:`round_action_links`)."""
        survey_round = self.get_object(request, object_id)
        if survey_round is not None:
            extra_context = {
                **(extra_context or {}),
                "round_links": round_action_links(survey_round),
            }
        zone = zone_or_none(survey_round.timezone) if survey_round else None
        if zone is None:
            return super().change_view(request, object_id, form_url, extra_context)
        with timezone.override(zone):
            response = super().change_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders lazily: render it while the zone is active.
            if hasattr(response, "render"):
                response.render()
            return response

    def get_urls(self) -> list[URLPattern]:
        site = self.admin_site
        return [
            path(
                "<int:object_id>/import/",
                site.admin_view(round_import_view(self)),
                name="survey_surveyround_import",
            ),
            path(
                "<int:object_id>/import/confirm/",
                site.admin_view(round_import_confirm_view(self)),
                name="survey_surveyround_import_confirm",
            ),
            *super().get_urls(),
        ]

    def delete_model(self, request: HttpRequest, obj: SurveyRound) -> None:
        """Delete through the service, which records who deleted the round and its size."""
        round_delete(round=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The list's delete action: each round through :meth:`delete_model`."""
        for survey_round in queryset:
            round_delete(round=survey_round, by=request.user)

    @admin.display(description=_("Changes of the threshold k, the dates and the profile questions"))
    def change_history(self, obj: SurveyRound) -> str:
        """Every recorded change of k, the dates or the profile questions, newest first:
        when, who, what, from, to (from the audit trail)."""
        if obj.pk is None:
            return "–"
        changes = list(
            Entry.objects.filter(round=obj, action=Entry.Action.ROUND_CHANGED).order_by(
                "-at", "-pk"
            )
        )
        if not changes:
            return _("None yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    change.at.isoformat(timespec="seconds"),
                    change.actor_name or _("the system"),
                    ROUND_FIELD_LABELS.get(change.subject, change.subject),
                    change.detail.get("from") or "–",
                    change.detail.get("to") or "–",
                )
                for change in changes
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("What"),
            _("From"),
            _("To"),
            rows,
        )

    @admin.display(description=_("Actions"))
    def round_actions(self, obj: SurveyRound) -> str:
        """Two short links, each named in full for a screen reader: the import of responses
        and the staff round page (dates, participation, invitees, emails, reminders)."""
        return format_html_join(
            "",
            '<div><a href="{}" aria-label="{}">{}</a></div>',
            ((link.url, link.name, link.text) for link in round_action_links(obj)),
        )

    @admin.display(description=_("Instrument"), ordering="instrument__slug")
    def instrument_version(self, obj: SurveyRound) -> str:
        return f"{obj.instrument.slug} v{obj.instrument.version}"

    @admin.display(description=_("Dates"), ordering="opens_at")
    def round_dates(self, obj: SurveyRound) -> str:
        """Opening and closing day in the round's own time zone, and the zone's name."""
        zone = round_zone(obj)
        opens = local_date_text(obj.opens_at, zone)
        if obj.closes_at is None:
            days = _("from %(opens)s") % {"opens": opens}
        else:
            closes = local_date_text(obj.closes_at, zone)
            days = f"{opens} – {closes}"
        return format_html('<div class="nowrap">{}</div><div>{}</div>', days, obj.timezone)


def untranslated_questions_warning(survey_round: SurveyRound) -> str:
    """What the admin says after saving ``survey_round`` when some profile question has no
    translation for a language the app offers beside the round's own (the language its
    questions are typed in), naming those languages and questions; ``""`` when none."""
    declared = survey_round.profile_attributes or []
    missing = attribute_translations_missing(
        declared,
        languages=language_codes(),
        original=survey_round.language or settings.LANGUAGE_CODE,
    )
    if not missing:
        return ""
    labels = {entry["name"]: attribute_label(entry) for entry in declared}
    return _(
        "Some profile questions have no translation for every language a respondent may "
        "choose, so those respondents read them as typed: %(questions)s. Add a "
        "“translations” entry for those languages (see the help under Profile attributes)."
    ) % {
        "questions": "; ".join(
            "“{}” ({})".format(
                labels[name],
                ", ".join(str(get_language_info(code)["name_translated"]) for code in codes),
            )
            for name, codes in missing.items()
        )
    }


@dataclass(frozen=True)
class RoundActionLink:
    """A link to one of a round's own pages: its address, short text and full name."""

    url: str
    text: str
    name: str


def round_action_links(survey_round: SurveyRound) -> list[RoundActionLink]:
    """The round's import page and its staff page ("Invitations"), for the round list and
    the top of the round's admin page."""
    return [
        RoundActionLink(
            url=reverse("admin:survey_surveyround_import", args=[survey_round.pk]),
            text=_("Import"),
            name=_("Import responses into %(round)s") % {"round": survey_round.name},
        ),
        RoundActionLink(
            url=reverse("survey:manage_round", kwargs={"slug": survey_round.slug}),
            text=_("Invitations"),
            name=_("Invitations and reminders of %(round)s") % {"round": survey_round.name},
        ),
    ]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: rows are written by services, never by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(_ReadOnlyAdmin):
    # Neither the token hash nor the draft (in-progress answers) is ever shown.
    list_display = ["__str__", "round", "side", "used", "created_at"]
    list_filter = ["round", "used", "side"]
    list_select_related = ["round"]
    fields = ["round", "side", "function", "level", "used", "created_at"]
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(_ReadOnlyAdmin):
    # Only the profile kept for analysis: no answers (comments may identify), no times.
    list_display = ["round", "side", "submitted_on", "source"]
    list_filter = ["round", "side", "source"]
    list_select_related = ["round"]
    fields = ["round", "side", "function", "level", "submitted_on", "source", "import_batch"]
    readonly_fields = fields


@admin.register(ImportBatch)
class ImportBatchAdmin(_ReadOnlyAdmin):
    """Imported files. Deleting one deletes its responses (undo an import)."""

    list_display = ["filename", "round", "imported_at", "response_count"]
    list_filter = ["round"]
    list_select_related = ["round"]
    fields = ["round", "filename", "sha256", "imported_at", "response_count"]
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("survey.delete_importbatch")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """The confirmation page names the files and counts the responses and answers that
        go with them. Responses cannot be deleted one by one (their admin is read-only), but
        the permission to delete an import covers its responses: without this, Django asked
        for that permission and refused every import that had any."""
        batches = list(objs)
        ids = [batch.pk for batch in batches]
        counts = {
            Response._meta.verbose_name_plural: Response.objects.filter(
                import_batch_id__in=ids
            ).count(),
            Answer._meta.verbose_name_plural: Answer.objects.filter(
                response__import_batch_id__in=ids
            ).count(),
        }
        return [str(batch) for batch in batches], counts, set(), []

    def delete_model(self, request: HttpRequest, obj: ImportBatch) -> None:
        """Delete through the service, which records who deleted how many responses."""
        import_batches_delete(batches=ImportBatch.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The list's delete action, through the same service, in one transaction."""
        import_batches_delete(batches=queryset, by=request.user)


@admin.register(SendJob)
class SendJobAdmin(_ReadOnlyAdmin):
    """Sends of invitations and reminders (issue 16): who started them, how they ended and
    the mail server's last error. Their numbers are on the round page; no address here."""

    list_display = ["round", "kind", "status", "created_at", "created_by", "finished_at", "error"]
    list_filter = ["status", "kind", "round"]
    list_select_related = ["round", "created_by"]
    fields = ["round", "kind", "status", "created_at", "created_by", "finished_at", "error"]
    readonly_fields = fields
