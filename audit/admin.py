"""The audit trail in the admin, for superusers only: filters by action, account, round and
date, a search, and the filtered list as a streamed CSV file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from audit.models import Entry
from common.csv_cells import csv_bytes

CSV_COLUMNS = ["when_utc", "action", "who", "account_id", "round", "what", "summary", "detail"]
CSV_CHUNK_ROWS = 2_000


def entry_csv_rows(entries: Any) -> Iterator[list[Any]]:
    """The header, then one row per entry of the queryset ``entries`` (read in chunks):
    time in UTC (ISO 8601), action, who, account id, round name, what, summary, detail as
    JSON. Cells are made formula-safe by :func:`common.csv_cells.csv_bytes`."""
    yield CSV_COLUMNS
    for entry in entries.iterator(chunk_size=CSV_CHUNK_ROWS):
        yield [
            entry.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            entry.action,
            entry.actor_name,
            entry.actor_id,
            entry.round_name,
            entry.subject,
            entry.summary(),
            json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
        ]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written by the application and removed by the retention
    purge, never by hand."""

    list_display = ["at", "action", "actor_name", "round_name", "summary"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("round", admin.RelatedOnlyFieldListFilter),
        "at",
    ]
    search_fields = ["actor_name", "round_name", "subject"]
    date_hierarchy = "at"
    list_per_page = 100
    fields = ["at", "action", "actor", "actor_name", "round", "round_name", "subject", "detail"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("summary"))
    def summary(self, obj: Entry) -> str:
        return obj.summary()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="audit_entry_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered and searched on the page (same query string), streamed as
        ``audit-trail.csv``; superusers only (others: 403)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:audit_entry_changelist") + "?e=1")
        entries = changelist.get_queryset(request).order_by("-at", "-pk")
        response = StreamingHttpResponse(
            csv_bytes(entry_csv_rows(entries)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        response["Cache-Control"] = "no-store"
        return response
