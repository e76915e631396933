"""The GET form that filters the over-time pages (summary, trend) by level, function and
imported attributes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from survey.models import Function, Level

ATTRIBUTE_PREFIX = "attr."
EVERYONE = ""


class RespondentFilterForm(forms.Form):
    """Level, function and one field per imported attribute (``attr.<name>``); blank = all.

    ``attributes``: {name: values offered}. Offer only values held by at least k
    respondents, so the list itself names no small group. Invalid input never raises:
    :meth:`filters` keeps the valid fields and :meth:`problems` says what was ignored.
    """

    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[(EVERYONE, _("All levels")), *Level.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    function = forms.ChoiceField(
        label=_("Function"),
        required=False,
        choices=[(EVERYONE, _("All functions")), *Function.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        attributes: Mapping[str, Iterable[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        for name, values in sorted((attributes or {}).items()):
            self.fields[f"{ATTRIBUTE_PREFIX}{name}"] = forms.ChoiceField(
                label=name.replace("_", " ").capitalize(),
                required=False,
                choices=[(EVERYONE, _("All")), *[(v, v) for v in sorted(values)]],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def filters(self) -> dict[str, str]:
        """{column: value} of the valid, non-blank fields (attribute columns without prefix)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name.removeprefix(ATTRIBUTE_PREFIX): value
            for name, value in cleaned.items()
            if value and name not in self.errors
        }

    def problems(self) -> list[str]:
        """One message per ignored field."""
        if not self.is_bound or self.is_valid():
            return []
        return [
            _("%(field)s: that choice is not available, so it was ignored.")
            % {"field": self.fields[name].label if name in self.fields else name}
            for name in self.errors
        ]

    def description(self) -> list[tuple[str, str]]:
        """(label, chosen value's label) of every active filter, for the page and print."""
        chosen = self.filters()
        out = []
        for name, field in self.fields.items():
            column = name.removeprefix(ATTRIBUTE_PREFIX)
            if column in chosen:
                labels = dict(field.choices)
                out.append((str(field.label), str(labels.get(chosen[column], chosen[column]))))
        return out
