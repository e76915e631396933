"""Staff pages to run a round: open, close, extend, invitees, emails, sending and reminders.

Thin: forms parse, ``survey.services.rounds`` and ``survey.services.invitations`` write,
``survey.services.sending`` starts send jobs (a worker sends them, or the request itself
without REDIS_URL) and counts their progress, ``survey.participation`` counts. Every page
needs a staff account allowed to change rounds; anonymous visitors are sent to log in, other
accounts get 403. Every action is a POST that ends in a redirect to the round page with a
message, or the page again with the form's errors (never a 500 on bad input).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from survey.emails import (
    INVITATION,
    REMINDER,
    email_render,
    email_subject_render,
    round_email_templates,
)
from survey.invitees import InviteeListError
from survey.manage_forms import ConfirmSendForm, EmailTemplatesForm, ExtendForm, InviteesForm
from survey.methods import methods_allowed
from survey.models import Invitation, SurveyRound
from survey.participation import round_participation
from survey.services.invitations import invitees_add
from survey.services.rounds import RoundNotOpenError, round_close, round_extend, round_open
from survey.services.sending import (
    SendJobUnderWayError,
    SendProgress,
    SendQueueError,
    send_job_latest,
    send_job_progress,
    send_job_start,
)
from survey.uploads import uploads_capped
from survey.zones import local_time_text, round_today, round_zone, wall_clock

SAMPLE_LINK_PATH = "/s/EXAMPLE-each-invitee-gets-their-own-link/"


def _staff_round_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only staff who may change rounds; resolve the round's slug."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_staff and user.has_perm("survey.change_surveyround")):
            raise PermissionDenied
        survey_round = get_object_or_404(
            SurveyRound.objects.select_related("instrument"), slug=slug
        )
        return view(request, survey_round, **kwargs)

    return wrapper


def _round_url(survey_round: SurveyRound) -> str:
    return reverse("survey:manage_round", kwargs={"slug": survey_round.slug})


def _status(survey_round: SurveyRound) -> str:
    now = dj_timezone.now()
    if now < survey_round.opens_at:
        return "upcoming"
    return "open" if survey_round.is_open(now) else "closed"


def _send_counts(survey_round: SurveyRound) -> dict[str, int]:
    """Invitees with an address, not yet emailed, and due a reminder now. One query."""
    today = round_today(survey_round)
    due = Q(used=False, last_sent_on__lt=today, reminders_sent__lt=survey_round.max_reminders)
    return (
        Invitation.objects.filter(round=survey_round)
        .exclude(email="")
        .aggregate(
            with_address=Count("pk"),
            not_sent=Count("pk", filter=Q(last_sent_on__isnull=True, used=False)),
            reminders_due=Count("pk", filter=due),
        )
    )


def _page(
    request: HttpRequest, survey_round: SurveyRound, *, status: int = 200, **forms: Any
) -> HttpResponse:
    zone = round_zone(survey_round)
    closes_at = survey_round.closes_at
    initial = {"closes_at": wall_clock(closes_at, zone)} if closes_at else {}
    context = {
        "round": survey_round,
        "status": _status(survey_round),
        "zone": zone.key,
        "opens_text": local_time_text(survey_round.opens_at, zone),
        "closes_text": local_time_text(survey_round.closes_at, zone),
        "participation": round_participation(round=survey_round),
        "counts": _send_counts(survey_round),
        "sending": _sending(survey_round),
        "extend_form": forms.get("extend_form") or ExtendForm(zone=zone, initial=initial),
        "invitees_form": forms.get("invitees_form") or InviteesForm(),
        "send_form": forms.get("send_form") or ConfirmSendForm(prefix="send"),
        "remind_form": forms.get("remind_form") or ConfirmSendForm(prefix="remind"),
        "title": _("Run the round %(round)s") % {"round": survey_round.name},
    }
    return render(request, "survey/manage/round.html", context, status=status)


@methods_allowed("GET", "HEAD")
@_staff_round_view
def round_manage(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """The round page: dates and actions, participation, invitees and sending."""
    return _page(request, survey_round)


@methods_allowed("POST")
@_staff_round_view
def round_open_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Open the round now (reopening a closed one until it is closed again)."""
    try:
        round_open(round=survey_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is open."))
    return redirect(_round_url(survey_round))


@methods_allowed("POST")
@_staff_round_view
def round_close_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Close the round now, once the tick box confirms it: unsubmitted drafts are deleted."""
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _(
                "Tick the box to confirm: closing deletes what those who have not submitted "
                "have typed, even if the round is reopened later."
            ),
        )
        return redirect(_round_url(survey_round))
    try:
        round_close(round=survey_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is closed: its links now say so."))
    return redirect(_round_url(survey_round))


@methods_allowed("POST")
@_staff_round_view
def round_extend_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Move the closing time (in the round's time zone); a closed round reopens."""
    form = ExtendForm(request.POST, zone=round_zone(survey_round))
    if form.is_valid():
        try:
            round_extend(
                round=survey_round, closes_at=form.cleaned_data["closes_at"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("closes_at", exc.messages)
        else:
            messages.success(
                request,
                _("The round now closes on %(closes)s.")
                % {"closes": local_time_text(survey_round.closes_at, round_zone(survey_round))},
            )
            return redirect(_round_url(survey_round))
    return _page(request, survey_round, extend_form=form)


@require_POST  # outside: a PUT gets 405, not the CSRF check of uploads_capped
@uploads_capped(InviteesForm)
@_staff_round_view
def round_invitees_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Add invitees from a CSV file or pasted addresses, all or nothing."""
    form = InviteesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = invitees_add(round=survey_round, rows=form.rows)
        except InviteeListError as exc:
            form.add_error(None, [_("Nothing was added."), *exc.problems])
        else:
            text = ngettext("Added %(n)d invitee.", "Added %(n)d invitees.", result.added) % {
                "n": result.added
            }
            if result.duplicates:
                text += " " + ngettext(
                    "Skipped %(n)d duplicate address.",
                    "Skipped %(n)d duplicate addresses.",
                    result.duplicates,
                ) % {"n": result.duplicates}
            messages.success(request, text)
            return redirect(_round_url(survey_round))
    return _page(request, survey_round, invitees_form=form)


def _sending(survey_round: SurveyRound) -> dict[str, Any] | None:
    """The round's latest send job as the page and the status endpoint show it."""
    job = send_job_latest(round=survey_round)
    if job is None:
        return None
    progress = send_job_progress(job=job)
    return {
        "kind": progress.kind,
        "status": progress.status,
        "under_way": progress.under_way,
        "total": progress.total,
        "sent": progress.sent,
        "failed": progress.failed,
        "pending": progress.pending,
        "unknown": progress.unknown,
        "skipped": progress.skipped,
        "done": progress.total - progress.pending,
        "text": _sending_text(progress),
    }


def _sending_text(progress: SendProgress) -> str:
    """One sentence on a send job, read aloud by screen readers as it changes."""
    numbers = _("%(sent)d sent, %(failed)d failed, %(pending)d waiting of %(total)d.") % {
        "sent": progress.sent,
        "failed": progress.failed,
        "pending": progress.pending,
        "total": progress.total,
    }
    what = _("Invitations") if progress.kind == INVITATION else _("Reminders")
    if progress.status == "queued":
        text = _("%(what)s: waiting for the mail worker. %(numbers)s")
    elif progress.status == "running":
        text = _("%(what)s: sending. %(numbers)s")
    elif progress.status == "stopped":
        text = _("%(what)s: sending stopped (%(error)s). %(numbers)s")
    else:
        text = _("%(what)s: done. %(numbers)s")
    text %= {"what": what, "numbers": numbers, "error": progress.error}
    if progress.status == "running" and progress.error:
        text += " " + _("The mail server said “%(error)s”: trying again shortly.") % {
            "error": progress.error
        }
    if progress.unknown:
        text += " " + ngettext(
            "%(n)d email's fate is unknown (its sender stopped while handing it over): it is "
            "not sent again automatically; the next reminder reaches that invitee.",
            "%(n)d emails' fate is unknown (their sender stopped while handing them over): "
            "they are not sent again automatically; the next reminder reaches those invitees.",
            progress.unknown,
        ) % {"n": progress.unknown}
    return text


def _send(
    request: HttpRequest, survey_round: SurveyRound, *, kind: str, prefix: str
) -> HttpResponse:
    form = ConfirmSendForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _page(request, survey_round, **{f"{prefix}_form": form})
    try:
        start = send_job_start(round=survey_round, kind=kind, by=request.user)
    except RoundNotOpenError:
        if kind == INVITATION:
            messages.error(request, _("The round is closed: no invitation was sent."))
        else:
            messages.error(request, _("Reminders go out only while the round is open."))
        return redirect(_round_url(survey_round))
    except SendJobUnderWayError:
        messages.error(
            request,
            _(
                "A send is already under way for this round: nothing new was started and "
                "nobody is emailed twice. Its progress is below."
            ),
        )
        return redirect(_round_url(survey_round))
    except SendQueueError as exc:
        messages.error(request, _("Nothing was sent: %(reason)s.") % {"reason": exc})
        return redirect(_round_url(survey_round))
    if start.job is None or not start.job.under_way:
        _sent_message(request, kind, start)
    elif start.joined:
        messages.info(request, _("An unfinished send of this round was resumed."))
    else:
        count = start.job.items.count()
        messages.success(
            request,
            ngettext(
                "Sending %(n)d email in the background: the numbers below keep up.",
                "Sending %(n)d emails in the background: the numbers below keep up.",
                count,
            )
            % {"n": count},
        )
    return redirect(_round_url(survey_round))


def _sent_message(request: HttpRequest, kind: str, start: Any) -> None:
    """The message of a send that ended in the request (no worker), or sent nobody."""
    progress = send_job_progress(job=start.job) if start.job else None
    if progress is not None and progress.status == "stopped":
        messages.error(
            request,
            _(
                "Sending stopped after %(sent)d email(s): the mail server said “%(reason)s”. "
                "%(unsent)d invitee(s) were not emailed and are unchanged: try again later."
            )
            % {"sent": progress.sent, "reason": progress.error, "unsent": progress.failed},
        )
        return
    sent = progress.sent if progress else 0
    if kind == INVITATION:
        text = ngettext("Sent %(n)d invitation.", "Sent %(n)d invitations.", sent) % {"n": sent}
    else:
        text = ngettext("Reminded %(n)d invitee.", "Reminded %(n)d invitees.", sent) % {"n": sent}
        if start.mailed_today:
            text += " " + ngettext(
                "%(n)d invitee was emailed today already and can be reminded from tomorrow.",
                "%(n)d invitees were emailed today already and can be reminded from tomorrow.",
                start.mailed_today,
            ) % {"n": start.mailed_today}
    if progress is not None and progress.failed:
        text += " " + ngettext(
            "The mail server refused %(n)d address; that invitee is unchanged.",
            "The mail server refused %(n)d addresses; those invitees are unchanged.",
            progress.failed,
        ) % {"n": progress.failed}
    messages.success(request, text)


@methods_allowed("POST")
@_staff_round_view
def round_send_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Email their links to the invitees not emailed yet."""
    return _send(request, survey_round, kind=INVITATION, prefix="send")


@methods_allowed("POST")
@_staff_round_view
def round_remind_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Email a reminder (with a fresh link) to the invitees who have not completed."""
    return _send(request, survey_round, kind=REMINDER, prefix="remind")


@methods_allowed("GET", "HEAD")
@never_cache
@_staff_round_view
def round_sending_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """The latest send job's numbers as JSON, polled by survey/manage_sending.js:
    ``{"job": null}`` or ``{"job": {"kind", "status", "under_way", "total", "sent",
    "failed", "pending", "unknown", "skipped", "done", "text"}}``."""
    return JsonResponse({"job": _sending(survey_round)})


@methods_allowed("GET", "HEAD", "POST")
@_staff_round_view
def round_email_view(request: HttpRequest, survey_round: SurveyRound) -> HttpResponse:
    """Edit the invitation and reminder texts; the page previews them with a sample link."""
    if request.method == "POST":
        form = EmailTemplatesForm(request.POST, instance=survey_round)
        if form.is_valid():
            form.save()
            messages.success(request, _("The email texts are saved."))
            return redirect("survey:manage_email", slug=survey_round.slug)
        survey_round.refresh_from_db()
    else:
        form = EmailTemplatesForm(instance=survey_round)
    context = {
        "round": survey_round,
        "form": form,
        "previews": _previews(survey_round),
        "title": _("Emails of %(round)s") % {"round": survey_round.name},
    }
    return render(request, "survey/manage/email.html", context)


def _previews(survey_round: SurveyRound) -> list[dict[str, str]]:
    base = settings.SURVEY_BASE_URL.rstrip("/")
    context = {
        "link": f"{base}{SAMPLE_LINK_PATH}",
        "round_name": survey_round.name,
        "closes": local_time_text(survey_round.closes_at, round_zone(survey_round)),
    }
    previews = []
    for kind, label in ((INVITATION, _("Invitation")), (REMINDER, _("Reminder"))):
        subject, body = round_email_templates(survey_round, kind)
        try:
            preview = {
                "subject": email_subject_render(subject, context),
                "body": email_render(body, context),
            }
        except (TemplateSyntaxError, TypeError, ValueError) as exc:  # stored unchecked
            preview = {"subject": "", "body": _("This text cannot be used: %(e)s") % {"e": exc}}
        previews.append({"label": label, **preview})
    return previews
