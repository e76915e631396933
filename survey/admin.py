"""Admin for rounds (editable), invitations and responses (read-only, nothing identifying)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from survey.admin_views import round_import_confirm_view, round_import_view
from survey.models import ImportBatch, Invitation, Response, SurveyRound


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "instrument",
        "opens_at",
        "closes_at",
        "timezone",
        "import_link",
    ]
    list_filter = ["instrument", "opens_at", "closes_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "opens_at"
    list_select_related = ["instrument"]
    fields = ["instrument", "name", "slug", "opens_at", "closes_at", "timezone", "min_group_size"]

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

    @admin.display(description=_("Import"))
    def import_link(self, obj: SurveyRound) -> str:
        url = reverse("admin:survey_surveyround_import", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Import responses"))


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
