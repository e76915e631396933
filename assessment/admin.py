"""Django admin for instruments: browse what is asked. Instruments change only through files."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessment.models import Dimension, Instrument, Item


class ReadOnlyAdminMixin:
    """Instruments are data loaded by `manage.py load_instrument`; the admin only shows them.

    Editing here would bypass validation and could change a version that already has
    answers, so add and change are off. Whole instruments may be deleted (one in use by a
    round is protected by the database); single dimensions and items may not.
    """

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class NoDeleteMixin:
    """Deleting one dimension or item would silently change a loaded version."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class DimensionInline(NoDeleteMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = Dimension
    fields = ["order", "code", "name", "guidance"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class ItemInline(NoDeleteMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = Item
    fk_name = "dimension"
    fields = [
        "order",
        "code",
        "text",
        "kind",
        "reverse_scored",
        "mirror_of",
        "about",
        "meta_perception",
    ]
    readonly_fields = fields
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "scale_points", "dimension_count", "loaded_at"]
    list_filter = ["slug"]
    search_fields = ["slug", "title", "version"]
    readonly_fields = [
        "slug",
        "version",
        "title",
        "description",
        "scale_points",
        "scale_labels",
        "dont_know_label",
        "meta_prompts",
        "translations",
        "source_sha256",
        "loaded_at",
    ]
    inlines = [DimensionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Instrument]:
        return super().get_queryset(request).annotate(dimension_total=Count("dimensions"))

    @admin.display(description=_("Dimensions"), ordering="dimension_total")
    def dimension_count(self, obj: Instrument) -> int:
        return obj.dimension_total


@admin.register(Dimension)
class DimensionAdmin(NoDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "instrument", "order"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    search_fields = ["code", "name", "description", "guidance"]
    readonly_fields = [
        "instrument",
        "code",
        "name",
        "description",
        "guidance",
        "order",
        "translations",
    ]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(NoDeleteMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "text",
        "kind",
        "reverse_scored",
        "mirror_of",
        "about",
        "meta_perception",
        "dimension",
    ]
    list_filter = ["kind", "reverse_scored", "about", "meta_perception", "dimension__instrument"]
    list_select_related = ["dimension", "mirror_of"]
    search_fields = ["code", "text", "dimension__code", "dimension__name"]
    readonly_fields = [
        "dimension",
        "code",
        "text",
        "kind",
        "reverse_scored",
        "mirror_of",
        "about",
        "meta_perception",
        "order",
        "translations",
    ]
