"""Who sees what (``docs/security.md``): Leaders and Analysts see the dashboards and the
aggregated exports (summary, gaps); only Analysts and superusers download responses.csv, the
one export with a row per respondent."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LEADERS_GROUP = "Leaders"
ANALYSTS_GROUP = "Analysts"
REPORT_GROUPS = (LEADERS_GROUP, ANALYSTS_GROUP)
AGGREGATED_KINDS = ("summary", "gaps", "dont_know", "perceptions", "mirror_pairs")
ROW_KINDS = ("responses",)  # one row per respondent


def _in_groups(user: Any, names: tuple[str, ...]) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # One query per request for every check: the user object lives as long as the request.
    held = getattr(user, "_report_groups", None)
    if held is None:
        held = set(user.groups.filter(name__in=REPORT_GROUPS).values_list("name", flat=True))
        user._report_groups = held
    return bool(held & set(names))


def is_leader(user: Any) -> bool:
    """True for active superusers and members of the Leaders or Analysts group: they see
    the dashboards and the aggregated exports."""
    return _in_groups(user, REPORT_GROUPS)


def can_export_responses(user: Any) -> bool:
    """True for active superusers and members of the Analysts group (responses.csv)."""
    return _in_groups(user, (ANALYSTS_GROUP,))


def can_export(user: Any, kind: str) -> bool:
    """Whether ``user`` may download export ``kind``: the aggregated ones for every leader,
    responses.csv for analysts only; no unknown kind for anyone."""
    if kind in AGGREGATED_KINDS:
        return is_leader(user)
    return kind in ROW_KINDS and can_export_responses(user)


def leader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let leaders and analysts through; send anonymous users to log in; show others a
    friendly 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_leader(request.user):
            return render(request, "reports/403.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
