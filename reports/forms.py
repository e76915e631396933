"""Leader forms, parse only: which two groups a page compares (:class:`ComparisonForm`) and
which respondents it is filtered to (:class:`RespondentFilterForm`); :func:`report_query`
reads both from a request's query once.

The built-in profile attributes (side, level, function) are always offered; a round's own
attributes (declared by the round or imported with its responses, kept in
``Response.attributes``) come on top as :class:`RoundAttribute`, offering only the values held
by at least k respondents, so the form itself never names a small group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.choices import PROFILE_CHOICES, RoundAttribute, RoundChoices
from reports.vocabulary import DEFAULT_COMPARISON, GROUP_JOINER, LEADERS_VS_STAFF, Comparison
from survey.attributes import attribute_name_label
from survey.models import Function, Level

ATTRIBUTE_PREFIX = "attr."
EVERYONE = ""
# The built-in profile attributes and their choices (one definition, in reports.results).
ATTRIBUTES = PROFILE_CHOICES
ATTRIBUTE_LABELS = {
    "side": _("Side (IT, Security, Other)"),
    "level": _("Level"),
    "function": _("Function"),
}
# Pooled groups offered in the group lists, by attribute: (values, label).
POOLED_GROUPS: dict[str, list[tuple[tuple[str, ...], Any]]] = {
    "level": [(LEADERS_VS_STAFF.group_a, _("Leaders (executives and managers)"))],
}
# The comparison shown when the attribute is chosen but its groups are not (or are wrong).
ATTRIBUTE_DEFAULTS = {
    "side": DEFAULT_COMPARISON,
    "level": LEADERS_VS_STAFF,
    "function": Comparison(
        "function", (Function.INFRASTRUCTURE.value,), (Function.SECURITY_OPERATIONS.value,)
    ),
}


def group_choices(
    attribute: str, extra: Mapping[str, RoundAttribute] | None = None
) -> list[tuple[str, str]]:
    """(value, label) of every group of ``attribute``: pooled groups first, then each value.

    ``extra``: the round's own attributes by name (each value shown in the page's language);
    an unknown attribute has no groups.
    """
    if attribute not in ATTRIBUTES:
        found = (extra or {}).get(attribute)
        return [(value, found.value_label(value)) for value in found.groups] if found else []
    pooled = [
        (GROUP_JOINER.join(values), str(label))
        for values, label in POOLED_GROUPS.get(attribute, [])
    ]
    return pooled + [(value, str(label)) for value, label in ATTRIBUTES[attribute].choices]


def group_values(text: str, allowed: set[str]) -> tuple[str, ...] | None:
    """The values of ``allowed`` that ``text`` names, joined by "+" (e.g.
    ``executive+manager``), or None when it names anything else or a value twice.

    A value may itself hold a "+" (``+cmd``, ``R+D``): the "+"-separated parts are matched
    to values as whole runs, fewest values first, so a group reads the same on the page, in
    a download's query and on the command line. Spaces around each value are dropped.
    """
    parts = text.split(GROUP_JOINER)
    # best[i]: the fewest values covering parts[:i] (a tuple), or None where none does.
    best: list[tuple[str, ...] | None] = [None] * (len(parts) + 1)
    best[0] = ()
    for stop in range(1, len(parts) + 1):
        for start in range(stop):
            before = best[start]
            value = GROUP_JOINER.join(parts[start:stop]).strip()
            if before is None or value not in allowed or value in before:
                continue
            if best[stop] is None or len(before) + 1 < len(best[stop]):
                best[stop] = (*before, value)
    return best[-1] or None


def value_labels(attribute: str, attributes: Iterable[RoundAttribute] = ()) -> dict[str, str]:
    """{value: display label} of ``attribute``'s values: a built-in attribute's choices, or
    the translated values of the round's own attribute of that name in ``attributes``
    (values without a translation are left out: they show as they are)."""
    if attribute in ATTRIBUTES:
        return {value: str(label) for value, label in ATTRIBUTES[attribute].choices}
    found = next((a for a in attributes if a.name == attribute), None)
    return dict(found.value_labels) if found else {}


def group_label(
    attribute: str, values: tuple[str, ...], attributes: Iterable[RoundAttribute] = ()
) -> str:
    """Display name of a group: a pooled group's name, else its values' labels joined
    (``attributes``: the round's own, see :func:`value_labels`)."""
    for pooled, label in POOLED_GROUPS.get(attribute, []):
        if tuple(pooled) == tuple(values):
            return str(label)
    labels = value_labels(attribute, attributes)
    return " + ".join(labels.get(value, value) for value in values)


class ComparisonForm(forms.Form):
    """GET form: a profile attribute and two of its groups (A and B; gap = A − B).

    A group is a value of the attribute or several joined by "+" (e.g.
    ``executive+manager``). ``attributes``: the round's own attributes (see
    :func:`reports.filters.round_attributes`), offered after side, level and function.
    :meth:`comparison` turns valid input into a :class:`reports.analysis.Comparison`;
    invalid input gives the attribute's (or the overall) default and a message, never an
    error page.
    """

    attribute = forms.ChoiceField(
        label=_("Compare groups by"),
        choices=list(ATTRIBUTE_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    a = forms.CharField(label=_("Group A"), max_length=200)
    b = forms.CharField(label=_("Group B"), max_length=200)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        attributes: Sequence[RoundAttribute] = (),
        **kwargs: Any,
    ) -> None:
        if data is not None and not any(key in data for key in ("attribute", "a", "b")):
            data = None  # no comparison asked for: the default, without any message
        super().__init__(data, **kwargs)
        # An attribute with fewer than two values held by k respondents has nothing to compare.
        self.extra = {
            a.name: a for a in attributes if a.name not in ATTRIBUTES and len(a.groups) > 1
        }
        self.fields["attribute"].choices = [
            *ATTRIBUTE_LABELS.items(),
            *((a.name, a.label) for a in self.extra.values()),
        ]
        if not self.is_bound and not self.initial:
            self.initial = comparison_initial(DEFAULT_COMPARISON)
        source = self.data if self.is_bound else self.initial
        attribute = source.get("attribute")
        if attribute not in ATTRIBUTES and attribute not in self.extra:
            attribute = DEFAULT_COMPARISON.attribute
        for name in ("a", "b"):
            self.fields[name].widget = forms.Select(
                choices=group_choices(attribute, self.extra), attrs={"class": "form-select"}
            )

    def attribute_label(self, attribute: str) -> str:
        """The display name of ``attribute`` (built-in or the round's own)."""
        if attribute in self.extra:
            return self.extra[attribute].label
        return str(ATTRIBUTE_LABELS.get(attribute, attribute))

    def default_for(self, attribute: str | None) -> Comparison:
        """The comparison shown when ``attribute`` is asked for without valid groups: its
        own default (a round attribute: its first two values), else IT versus Security."""
        if attribute in self.extra:
            first, second = self.extra[attribute].groups[:2]
            return Comparison(attribute, (first,), (second,))
        return ATTRIBUTE_DEFAULTS.get(attribute, DEFAULT_COMPARISON)

    def _parse(self, attribute: str, text: str) -> tuple[str, ...] | None:
        if attribute in ATTRIBUTES:
            allowed = set(ATTRIBUTES[attribute].values)
        else:
            allowed = set(self.extra[attribute].groups)
        values = group_values(text, allowed)
        if values is None and " " in text:
            # An unencoded "+" in a typed URL arrives as a space (executive+manager).
            values = group_values(text.replace(" ", GROUP_JOINER), allowed)
        return values

    @staticmethod
    def _pool_offered(attribute: str, values: tuple[str, ...]) -> bool:
        """One value, or several only as a pool the form offers (pools hide nothing: a pool
        set beside its parts would tell the parts apart)."""
        if len(values) == 1:
            return True
        return any(set(values) == set(pool) for pool, _label in POOLED_GROUPS.get(attribute, []))

    @staticmethod
    def _as_offered(attribute: str, values: tuple[str, ...]) -> tuple[str, ...]:
        """A pool in the order the form offers it (so it is named and cached alike)."""
        for pool, _label in POOLED_GROUPS.get(attribute, []):
            if set(values) == set(pool):
                return tuple(pool)
        return values

    def _refusal(self, attribute: str, text: str) -> str:
        """Why ``text`` is not a group of ``attribute`` that can be compared, in words."""
        label = self.attribute_label(attribute)
        if attribute in ATTRIBUTES:
            known = set(ATTRIBUTES[attribute].values)
            parts = {part.strip() for part in text.replace(" ", GROUP_JOINER).split(GROUP_JOINER)}
            if parts and not parts <= known:
                return _(
                    "“%(group)s” is not a group of %(attribute)s. Choose a group from the list."
                ) % {"group": text, "attribute": label}
        return _(
            "“%(group)s” cannot be compared: %(attribute)s offers only the groups held by at "
            "least the round's minimum number of respondents, so that nobody in a smaller "
            "group can be singled out (or no such group exists). Choose a group from the "
            "list, or compare by another attribute."
        ) % {"group": text, "attribute": label}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        attribute = cleaned.get("attribute")
        if attribute is None or "a" not in cleaned or "b" not in cleaned:
            return cleaned
        a = self._parse(attribute, cleaned["a"])
        b = self._parse(attribute, cleaned["b"])
        if a is None and b is None:
            # Neither group belongs to the attribute: most often the attribute was changed
            # in the form and the groups of the previous one came along.
            self.add_error(
                None,
                _("Comparing by %(attribute)s: choose two of its groups.")
                % {"attribute": self.attribute_label(attribute)},
            )
        elif a is None or b is None:
            field, text = ("a", cleaned["a"]) if a is None else ("b", cleaned["b"])
            self.add_error(field, self._refusal(attribute, text))
        elif set(a) & set(b):
            self.add_error("b", _("Choose two groups that do not overlap."))
        elif unoffered := [
            g for g in (a, b) if len(g) > 1 and not self._pool_offered(attribute, g)
        ]:
            self.add_error(
                "a" if unoffered[0] == a else "b",
                _(
                    "“%(group)s” cannot be compared: only the combined groups in the list (such "
                    "as Leaders) can be, since a combination set beside its parts could single "
                    "out a small group. Choose a group from the list."
                )
                % {"group": GROUP_JOINER.join(unoffered[0])},
            )
        else:
            cleaned["comparison"] = Comparison(
                attribute, self._as_offered(attribute, a), self._as_offered(attribute, b)
            )
        return cleaned

    def _error_messages(self) -> list[str]:
        """Every error in words, each naming its field (“Group A: This field is required.”)."""
        labels = {name: str(field.label) for name, field in self.fields.items()}
        messages = []
        for name, errors in self.errors.items():
            for error in errors:
                text = str(error)
                if name in labels and text.startswith("This field"):
                    text = f"{labels[name]}: {text}"
                messages.append(text)
        return messages

    def comparison(self) -> tuple[Comparison, list[str]]:
        """The comparison asked for, or a default and the messages that say why.

        Unbound: the overall default (IT versus Security), no message. Invalid: the
        default of the attribute asked for when that attribute is valid, else the overall
        default, with one message per problem.
        """
        if not self.is_bound:
            return DEFAULT_COMPARISON, []
        if self.is_valid():
            return self.cleaned_data["comparison"], []
        fallback = self.default_for(self.data.get("attribute"))
        return fallback, self._error_messages()


def comparison_initial(comparison: Comparison) -> dict[str, str]:
    """Form values (and query parameters) that select ``comparison``."""
    return {
        "attribute": comparison.attribute,
        "a": comparison.label_a,
        "b": comparison.label_b,
    }


def comparison_from_query(
    query: Mapping[str, Any], attributes: Sequence[RoundAttribute] = ()
) -> tuple[Comparison, list[str], ComparisonForm]:
    """Read the comparison from GET parameters: (comparison, messages, form to show).

    ``attributes``: the round's own attributes that may be compared. The form shown always
    describes the comparison on the page: the bound form when the input was valid, else a
    fresh one set to the default used instead.
    """
    form = ComparisonForm(query, attributes=attributes)
    comparison, problems = form.comparison()
    if problems or not form.is_bound:
        form = ComparisonForm(initial=comparison_initial(comparison), attributes=attributes)
    return comparison, problems, form


class RespondentFilterForm(forms.Form):
    """Level, function and one field per imported attribute (``attr.<name>``); blank = all.
    One filter applies at a time (the first chosen, in this order); the others are ignored
    with a message.

    ``attributes``: {name: values offered}. Offer only values held by at least k
    respondents, so the list itself names no small group. ``labels``: {name: label} and
    ``values_shown``: {name: {value: text}} in the page's language, where they differ from
    the name or the value. Invalid input never raises:
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
        labels: Mapping[str, str] | None = None,
        values_shown: Mapping[str, Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        labels = labels or {}
        for name, values in sorted((attributes or {}).items()):
            shown = (values_shown or {}).get(name, {})
            self.fields[f"{ATTRIBUTE_PREFIX}{name}"] = forms.ChoiceField(
                label=labels.get(name) or attribute_name_label(name),
                required=False,
                choices=[(EVERYONE, _("All")), *[(v, shown.get(v, v)) for v in sorted(values)]],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def filters(self) -> dict[str, str]:
        """{column: value} of the valid, non-blank fields (attribute columns without prefix)."""
        if not self.is_bound:
            return {}
        chosen = self._chosen()
        return dict(chosen[:1])

    def _chosen(self) -> list[tuple[str, str]]:
        """Every valid, non-blank field as (column, value), in the form's field order."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return [
            (name.removeprefix(ATTRIBUTE_PREFIX), cleaned[name])
            for name in self.fields
            if cleaned.get(name) and name not in self.errors
        ]

    def problems(self) -> list[str]:
        """One message per ignored field: invalid, or a second filter (one at a time: two
        filters and a comparison would publish three-way tables, whose small cells could be
        worked out by combining views)."""
        if not self.is_bound:
            return []
        messages = [
            _("%(field)s: that choice is not available, so it was ignored.")
            % {"field": self.fields[name].label if name in self.fields else name}
            for name in (self.errors if not self.is_valid() else {})
        ]
        labels = {
            name.removeprefix(ATTRIBUTE_PREFIX): field.label for name, field in self.fields.items()
        }
        messages += [
            _("%(field)s: one filter at a time, so this one was ignored.")
            % {"field": labels.get(column, column)}
            for column, _value in self._chosen()[1:]
        ]
        # A filter by a profile question this round's filters do not offer (none of its
        # values is held by enough respondents, or the round has no such question).
        messages += [
            _(
                "“%(name)s” cannot be filtered on in this round (no such profile question, "
                "or none of its answers is held by enough respondents), so it was ignored."
            )
            % {"name": key.removeprefix(ATTRIBUTE_PREFIX)}
            for key in self.data
            if key.startswith(ATTRIBUTE_PREFIX) and key not in self.fields and self.data.get(key)
        ]
        return messages

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


@dataclass(frozen=True)
class ReportQuery:
    """What a leader page's query asks for, parsed once: the ``comparison`` and ``filters``
    (plain values for :func:`reports.results.round_results`), the forms to show again and
    the messages saying what was ignored and why."""

    comparison: Comparison
    filters: dict[str, str]
    comparison_form: ComparisonForm
    filter_form: RespondentFilterForm
    comparison_problems: list[str]
    filter_problems: list[str]

    @property
    def comparison_query(self) -> str:
        """The comparison alone, urlencoded (links keep it)."""
        return urlencode(comparison_initial(self.comparison))

    @property
    def filter_query(self) -> str:
        """The active filter alone, urlencoded (links and the comparison form keep it)."""
        form = self.filter_form
        return urlencode(
            {
                name: form.data[name]
                for name in form.fields
                if name.removeprefix(ATTRIBUTE_PREFIX) in self.filters and name in form.data
            }
        )


def report_query(query: Mapping[str, Any], *, choices: RoundChoices) -> ReportQuery:
    """Read a leader page's GET parameters against the round's ``choices``
    (:func:`reports.choices.round_choices`). Never raises on bad input: what cannot be used
    falls back to a default with a message."""
    comparison, comparison_problems, comparison_form = comparison_from_query(
        query, choices.attributes
    )
    filter_form = RespondentFilterForm(
        query or None,
        attributes=choices.filter_options,
        labels={attribute.name: attribute.label for attribute in choices.attributes},
        values_shown={attribute.name: attribute.value_labels for attribute in choices.attributes},
    )
    filter_problems = filter_form.problems()
    for name, problems in (
        ("attribute", comparison_problems),
        ("a", comparison_problems),
        ("b", comparison_problems),
        *((f, filter_problems) for f in filter_form.fields),
    ):
        problems.extend(_repeated(query, name))
    return ReportQuery(
        comparison=comparison,
        filters=filter_form.filters(),
        comparison_form=comparison_form,
        filter_form=filter_form,
        comparison_problems=comparison_problems,
        filter_problems=filter_problems,
    )


def _repeated(query: Mapping[str, Any], name: str) -> list[str]:
    """A message when the query gives parameter ``name`` more than once (Django reads the
    last value): the page says which value it used rather than choosing silently."""
    values = query.getlist(name) if hasattr(query, "getlist") else []
    if len(values) < 2:
        return []
    return [
        _(
            "The address gives “%(name)s” %(count)d times; only the last value, “%(value)s”, "
            "is used."
        )
        % {"name": name, "count": len(values), "value": values[-1]}
    ]
