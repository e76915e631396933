"""Respondent forms: the profile step and one page of a dimension's items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Item
from survey.attributes import attribute_choice_labels, attribute_label
from survey.models import Function, Level, Side
from survey.scale import DONT_KNOW, PREDICTED_SUFFIX, SCALE_KINDS
from survey.services.responses import COMMENT_MAX_LENGTH, DRAFT_ATTRIBUTES

# Up to this many choices a profile question is a radio group; beyond, a drop-down.
RADIO_MAX_CHOICES = 7
ATTRIBUTE_FIELD_PREFIX = "attribute_"


def invited_side_question(side: str) -> tuple[str, list[tuple[str, str]]]:
    """The side question for a respondent invited as ``side`` (a :class:`Side` value): its
    legend ("You were invited as IT staff — is that right?") and its choices, the side
    values labelled "Yes, I work in IT" first, then "No, I work in …" for every other side.

    A link made for one side can reach someone of another, who would leave a preselected
    side as it was; a question that names the side makes them say which side they are in.
    Raises ValueError for a value that is not a side.
    """
    invited = Side(side)
    if invited == Side.OTHER:
        question = _("You were invited as staff outside IT and Security — is that right?")
    else:
        question = _("You were invited as %(side)s staff — is that right?") % {
            "side": invited.label
        }
    choices = [(invited.value, _side_answer(invited, yes=True))]
    choices += [(other.value, _side_answer(other, yes=False)) for other in Side if other != invited]
    return str(question), choices


def _side_answer(side: Side, *, yes: bool) -> str:
    if side == Side.OTHER:
        answer = (
            _("Yes, I work outside IT and Security")
            if yes
            else _("No, I work outside IT and Security")
        )
    elif yes:
        answer = _("Yes, I work in %(side)s") % {"side": side.label}
    else:
        answer = _("No, I work in %(side)s") % {"side": side.label}
    return str(answer)


class ProfileForm(forms.Form):
    """Side, function and level of the respondent, then the round's own profile questions.

    ``invited_side`` is the side the invitation was made for ("" when none): then the side
    question names it and asks the respondent to confirm or correct it
    (:func:`invited_side_question`); the field is still ``side`` and its values the sides.
    Nothing is preselected from the invitation: the view gives no initial side for it.

    ``attributes`` is the round's ``profile_attributes``: each becomes an optional field
    ``attribute_<name>`` (a radio group, or a drop-down for many choices) whose first choice,
    "Prefer not to say", leaves it out. Nothing else a response keeps about its respondent.
    Its question and choices are shown in ``language`` where the round translates them
    (:func:`survey.attributes.attribute_choice_labels`); the values posted and kept are the
    declared choices, whatever the language.
    """

    side = forms.ChoiceField(
        label=_("Which side of the organisation do you work in?"),
        choices=Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose IT, Security or Other.")},
    )
    function = forms.ChoiceField(
        label=_("Which function describes your work best?"),
        choices=[("", _("Choose a function…")), *Function.choices],
        error_messages={"required": _("Choose the function closest to your work.")},
    )
    level = forms.ChoiceField(
        label=_("What is your level?"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your level.")},
    )

    def __init__(
        self,
        *args: Any,
        attributes: Sequence[Mapping[str, Any]] = (),
        invited_side: str = "",
        language: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if invited_side in Side.values:
            question, choices = invited_side_question(invited_side)
            side = self.fields["side"]
            side.label = question
            side.choices = choices
            side.help_text = _("Your answers are counted under the side you choose here.")
            side.error_messages["required"] = _("Choose “Yes”, or the side you work in.")
        self.attributes = list(attributes)
        for entry in self.attributes:
            choices = attribute_choice_labels(entry, language)
            many = len(choices) > RADIO_MAX_CHOICES
            self.fields[ATTRIBUTE_FIELD_PREFIX + entry["name"]] = forms.ChoiceField(
                label=attribute_label(entry, language),
                choices=[("", _("Prefer not to say")), *choices.items()],
                required=False,
                widget=forms.Select if many else forms.RadioSelect,
                help_text=_("Optional."),
                error_messages={
                    "invalid_choice": _("Choose one of the options, or “Prefer not to say”.")
                },
            )
        self.helper = FormHelper()
        # The template owns the <form> tag, the CSRF token and the buttons.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def profile(self) -> dict[str, Any]:
        """The cleaned side, function and level, and ``attributes``: {name: choice or ""}."""
        data = self.cleaned_data
        return {
            "side": data["side"],
            "function": data["function"],
            "level": data["level"],
            "attributes": {
                entry["name"]: data.get(ATTRIBUTE_FIELD_PREFIX + entry["name"]) or ""
                for entry in self.attributes
            },
        }

    @staticmethod
    def initial_from_draft(
        profile: Mapping[str, Any], attributes: Sequence[Mapping[str, Any]]
    ) -> dict[str, str]:
        """Initial values from a saved draft profile; a question saved unanswered shows
        "Prefer not to say" chosen."""
        initial = {
            name: profile[name] for name in ("side", "function", "level") if profile.get(name)
        }
        if profile:
            chosen = profile.get(DRAFT_ATTRIBUTES) or {}
            for entry in attributes:
                initial[ATTRIBUTE_FIELD_PREFIX + entry["name"]] = chosen.get(entry["name"], "")
        return initial


@dataclass(frozen=True)
class Statement:
    """One statement on the scale as the page shows it: its radio group, and the follow-up
    question's radio group ("how would the other side answer?") when the respondent is asked
    it, else None."""

    field: forms.BoundField
    meta: forms.BoundField | None


class DimensionPageForm(forms.Form):
    """One page of items: a radio group per statement on the scale (Likert or outcome), a
    textarea per comment item.

    Every field is optional: a respondent may leave any statement unanswered. Field names are
    the item codes; scale choices are the points "1".."k" labelled with the scale, then, when
    ``dont_know_label`` is not blank, :data:`DONT_KNOW` labelled with it: one radio group, so
    the keyboard and screen readers reach it as part of the question, but a choice apart
    from the scale. When ``meta_prompt`` is not blank (an IT or Security respondent) each
    meta-perception statement also gets ``<code>__predicted_other``: the same scale, without
    "don't know", labelled with the prompt. Items read in ``language`` (default: the active
    language; English where the instrument has no translation); the labels and prompt come
    in the respondent's language already.
    """

    def __init__(
        self,
        *args: Any,
        items: Iterable[Item],
        scale_labels: list[str],
        dont_know_label: str = "",
        meta_prompt: str = "",
        language: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.meta_prompt = meta_prompt.strip()
        scale = [(str(point), label) for point, label in enumerate(scale_labels, start=1)]
        dont_know = [(DONT_KNOW, dont_know_label.strip())] if dont_know_label.strip() else []
        for item in self.items:
            if item.kind in SCALE_KINDS:
                self.fields[item.code] = forms.ChoiceField(
                    label=item.text_in(language),
                    choices=[*scale, *dont_know],
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages={
                        "invalid_choice": _("Choose one of the options on the scale."),
                    },
                )
                if self._asks_meta(item):
                    self.fields[item.code + PREDICTED_SUFFIX] = forms.ChoiceField(
                        label=self.meta_prompt,
                        choices=scale,
                        required=False,
                        widget=forms.RadioSelect,
                        help_text=_("Optional."),
                        error_messages={
                            "invalid_choice": _("Choose one of the options on the scale."),
                        },
                    )
            else:
                self.fields[item.code] = forms.CharField(
                    label=item.text_in(language),
                    required=False,
                    max_length=COMMENT_MAX_LENGTH,
                    strip=True,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
                    help_text=_("Optional. Up to %(n)d characters. Please do not name people.")
                    % {"n": COMMENT_MAX_LENGTH},
                )

    def _asks_meta(self, item: Item) -> bool:
        return bool(self.meta_prompt) and item.meta_perception

    def statements(self) -> list[Statement]:
        """The statements on the scale, in item order, each with its follow-up question."""
        return [
            Statement(
                field=self[item.code],
                meta=self[item.code + PREDICTED_SUFFIX] if self._asks_meta(item) else None,
            )
            for item in self.items
            if item.kind in SCALE_KINDS
        ]

    def likert_fields(self) -> Iterator[forms.BoundField]:
        """The bound radio-group fields of the statements, in item order."""
        for statement in self.statements():
            yield statement.field

    def text_fields(self) -> Iterator[forms.BoundField]:
        """The bound comment fields, in item order."""
        for item in self.items:
            if item.kind not in SCALE_KINDS:
                yield self[item.code]

    def answers(self) -> dict[str, int | str | None]:
        """The cleaned answers keyed by item code: int points or :data:`DONT_KNOW` for a
        statement, str comment, None = no answer."""
        answers: dict[str, int | str | None] = {}
        for item in self.items:
            value = self.cleaned_data.get(item.code)
            if item.kind in SCALE_KINDS:
                answers[item.code] = (
                    DONT_KNOW if value == DONT_KNOW else int(value) if value else None
                )
            else:
                answers[item.code] = value or None
        return answers

    def predicted(self) -> dict[str, int | None]:
        """The cleaned guesses of the other side's answer, keyed by item code (None = no
        guess); empty when the respondent is not asked."""
        return {
            item.code: int(value) if (value := self.cleaned_data.get(field)) else None
            for item in self.items
            if self._asks_meta(item) and (field := item.code + PREDICTED_SUFFIX)
        }

    @staticmethod
    def initial_from_draft(
        items: Iterable[Item],
        answers: Mapping[str, Any],
        predicted: Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """Initial form values for ``items`` from the draft's stored answers and guesses."""
        items = list(items)
        initial = {item.code: str(answers[item.code]) for item in items if item.code in answers}
        for item in items:
            if item.code in (predicted or {}):
                initial[item.code + PREDICTED_SUFFIX] = str(predicted[item.code])
        return initial
