"""Template context every page shares: how published figures are protected."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reports.results import round_protection


def disclosure(request: HttpRequest) -> dict[str, Any]:
    """``protection``: the cell-key method's bounds, for the sentence every page and export
    prints (``includes/protection_note.html``)."""
    return {"protection": round_protection()}
