"""A dimension's comments page: the comments in random order, with no profile beside them,
and the words that recur across them."""

from __future__ import annotations

import random

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from audit.services import report_viewed
from reports import presenters
from reports.parameters import comment_threshold
from reports.permissions import leader_required
from reports.results import round_comments
from reports.selectors import dimension_by_code
from reports.views.dashboard import round_or_404


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def comments(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A dimension's free-text comments in random order and the words that recur across
    them; nothing when too few people wrote one."""
    survey_round = round_or_404(slug)
    dimension = dimension_by_code(round=survey_round, code=code)
    if dimension is None:
        raise Http404
    comments = round_comments(round=survey_round, dimension_code=code)
    # A fresh order on every request: the order says nothing of who wrote when.
    lists = presenters.comment_lists(comments.lists, lambda texts: random.sample(texts, len(texts)))
    report_viewed(by=request.user, round=survey_round, page=f"comments {code}")
    return render(
        request,
        "reports/comments.html",
        {
            "round": survey_round,
            "dimension": dimension,
            "threshold": comment_threshold(round=survey_round),
            "comment_lists": lists,
            "comments": [text for part in lists for text in part["texts"]],
            "comment_count": len(comments.texts),
            "words": presenters.frame_records(comments.words),
            "dimension_url": reverse("reports:dimension", kwargs={"slug": slug, "code": code}),
            "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
        },
    )
