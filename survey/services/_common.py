"""Helpers the survey services share: the instrument's items and checks of a choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.models import Item
from survey.scale import SCALE_KINDS


@dataclass(frozen=True)
class ItemInfo:
    """What a write needs of an item: its primary key, its kind (``likert`` | ``outcome`` |
    ``text``) and whether each side also guesses the other side's answer to it."""

    pk: int
    kind: str
    meta_perception: bool = False

    @property
    def on_scale(self) -> bool:
        """Answered on the instrument's scale (a Likert or the outcome statement)."""
        return self.kind in SCALE_KINDS


def instrument_items(*, instrument_id: int) -> dict[str, ItemInfo]:
    """Map item code -> :class:`ItemInfo` for every item of the instrument, in instrument
    order (as :func:`survey.selectors.round_items_frame`: the order of
    ``Response.likert_answers``). One query."""
    rows = (
        Item.objects.filter(dimension__instrument_id=instrument_id)
        .order_by("dimension__order", "dimension_id", "order", "pk")
        .values_list("code", "pk", "kind", "meta_perception")
    )
    return {code: ItemInfo(pk=pk, kind=kind, meta_perception=meta) for code, pk, kind, meta in rows}


def choice_check(*, value: Any, choices: type, label: str, required: bool = False) -> str:
    """Return ``value`` if it is one of ``choices`` (a TextChoices), or ``""`` for a blank
    value when not ``required``.

    Raises ValueError naming ``label``, the value and the allowed values otherwise.
    """
    if value in ("", None) and not required:
        return ""
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValueError(f"Unknown {label} {value!r}: expected one of {allowed}.")
    return str(value)
