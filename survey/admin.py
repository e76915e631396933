"""Admin for rounds (editable), invitations and responses (read-only, nothing identifying)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from survey.models import Invitation, Response, SurveyRound


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "instrument", "opens_at", "closes_at", "timezone"]
    list_filter = ["instrument", "opens_at", "closes_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "opens_at"
    list_select_related = ["instrument"]
    fields = ["instrument", "name", "slug", "opens_at", "closes_at", "timezone", "min_group_size"]


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
    fields = ["round", "side", "function", "level", "submitted_on", "source"]
    readonly_fields = fields
