"""Respondent pages under /s/<token>/: welcome, profile, one page per dimension, review, submit.

All state lives in the invitation's draft (never the session), so a lost session loses
nothing and reopening the link resumes at the first unfinished step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone as dj_timezone
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views import csrf
from django.views.decorators.cache import never_cache

from assessment.models import Dimension, Item
from survey.attributes import attribute_choice_label, attribute_label
from survey.forms import DimensionPageForm, ProfileForm
from survey.methods import methods_allowed
from survey.models import Function, Invitation, Level, Side
from survey.scale import DONT_KNOW, SCALE_KINDS
from survey.services.responses import (
    DRAFT_ANSWERS,
    DRAFT_ATTRIBUTES,
    DRAFT_PREDICTED,
    DRAFT_PROFILE,
    META_SIDES,
    DraftIncompleteError,
    dont_know_offered,
    invitation_draft,
    invitation_resume_step,
    invitation_save_page,
    invitation_save_profile,
    response_submit,
)
from survey.services.rounds import RoundNotOpenError
from survey.tokens import invitation_get_by_token
from survey.zones import round_zone

STATUS_USED = 410
STATUS_NOT_OPEN = 403
OUTCOME_PAGE_CODE = "overall"


@dataclass(frozen=True)
class SurveyPage:
    """One page of statements: a dimension's items, or the outcome statements."""

    code: str
    name: str
    description: str
    items: list[Item]


def survey_pages(dimensions: list[Dimension], language: str | None = None) -> list[SurveyPage]:
    """The questionnaire's pages: first the outcome statements ("Overall, IT and security
    work well together here"), wherever the instrument files them, on a page of their own;
    then one page per dimension with its other items, in order; a dimension left without
    items has no page. Names and descriptions are in ``language`` (default: the active
    language) where the instrument is translated, else in English.

    The overall judgement comes first so that the specific statements do not colour it: an
    overall question asked after specific ones leans on them (part-whole question-order
    effects; Schuman & Presser 1981, *Questions and Answers in Attitude Surveys*), and the
    outcome is what the driver analysis relates the dimensions to.
    """
    outcome = [
        item
        for dimension in dimensions
        for item in dimension.items.all()
        if item.kind == Item.Kind.OUTCOME
    ]
    pages = []
    if outcome:
        pages.append(
            SurveyPage(
                code=OUTCOME_PAGE_CODE,
                name=gettext("Overall"),
                description="",
                items=outcome,
            )
        )
    for dimension in dimensions:
        items = [item for item in dimension.items.all() if item.kind != Item.Kind.OUTCOME]
        if items:
            pages.append(
                SurveyPage(
                    code=dimension.code,
                    name=dimension.name_in(language),
                    description=dimension.description_in(language),
                    items=items,
                )
            )
    return pages


class Respondent:
    """What every respondent page needs: the invitation, its round, instrument and pages,
    and the language the instrument's texts are shown in (the request's active language)."""

    def __init__(self, invitation: Invitation, token: str) -> None:
        self.invitation = invitation
        self.token = token
        self.round = invitation.round
        self.instrument = self.round.instrument
        self.language = get_language()

    def language_set(self, code: str) -> None:
        """Show this request's pages in ``code`` from now on (a language button)."""
        translation.activate(code)
        self.language = code
        self.__dict__.pop("pages", None)

    @cached_property
    def dimensions(self) -> list[Dimension]:
        """The instrument's dimensions in order, items prefetched (two queries)."""
        items = Item.objects.order_by("order", "pk")
        return list(
            Dimension.objects.filter(instrument=self.instrument)
            .order_by("order", "pk")
            .prefetch_related(Prefetch("items", queryset=items))
        )

    @cached_property
    def pages(self) -> list[SurveyPage]:
        """The questionnaire's pages (:func:`survey_pages`)."""
        return survey_pages(self.dimensions, self.language)

    @cached_property
    def draft(self) -> dict:
        """The draft as the respondent left it (read once per request)."""
        return invitation_draft(invitation=self.invitation)

    @property
    def profile(self) -> dict:
        return self.draft.get(DRAFT_PROFILE) or {}

    @property
    def answers(self) -> dict:
        return self.draft.get(DRAFT_ANSWERS) or {}

    @property
    def predicted(self) -> dict:
        return self.draft.get(DRAFT_PREDICTED) or {}

    @property
    def meta_prompt(self) -> str:
        """The follow-up question of meta-perception statements for this respondent's side
        ("" for the side Other, who is not asked)."""
        side = self.profile.get("side", "")
        if side not in META_SIDES:
            return ""
        prompts = self.instrument.meta_prompts_in(self.language)
        prompt = str(prompts.get(side) or "").strip()
        if prompt:
            return prompt
        if side == "it":
            return gettext("How do you think security staff would answer?")
        return gettext("How do you think IT staff would answer?")

    @property
    def dont_know_label(self) -> str:
        """The instrument's "don't know" answer ("" when it offers none)."""
        if not dont_know_offered(self.instrument):
            return ""
        return self.instrument.dont_know_label_in(self.language).strip()

    @property
    def scale_labels(self) -> list[str]:
        """The scale's labels, lowest point first."""
        return self.instrument.scale_labels_in(self.language)

    def page_form(self, n: int, data: Any = None, **kwargs: Any) -> DimensionPageForm:
        """The form of page ``n`` (1-based), bound to ``data`` when given."""
        return DimensionPageForm(
            data,
            items=self.pages[n - 1].items,
            scale_labels=self.scale_labels,
            dont_know_label=self.dont_know_label,
            meta_prompt=self.meta_prompt,
            language=self.language,
            **kwargs,
        )

    def profile_form(self, data: Any = None, **kwargs: Any) -> ProfileForm:
        """The profile form, bound to ``data`` when given; the side question names the side
        the invitation was made for, if any."""
        return ProfileForm(
            data,
            attributes=self.round.profile_attributes or [],
            invited_side=self.invitation.side,
            language=self.language,
            **kwargs,
        )

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def step_count(self) -> int:
        """Steps shown in the progress indicator: profile, one per dimension, review."""
        return self.page_count + 2

    def url(self, name: str, page: int | None = None) -> str:
        kwargs: dict[str, Any] = {"token": self.token}
        if page is not None:
            kwargs["n"] = page
        return reverse(f"survey:{name}", kwargs=kwargs)

    def resume_url(self) -> str:
        step, page = invitation_resume_step(invitation=self.invitation, page_count=self.page_count)
        return self.url(step, page)

    def context(self, step: int | None = None, **extra: Any) -> dict[str, Any]:
        context = {
            "respondent": self,
            "round": self.round,
            "instrument": self.instrument,
            "instrument_title": self.instrument.title_in(self.language),
            "round_zone": round_zone(self.round),
        }
        if step is not None:
            context["progress"] = _progress(step, self.step_count)
        context.update(extra)
        return context


def _language_chosen(request: HttpRequest) -> str | None:
    """The language a switcher button of a respondent page asked for (``language`` in the
    POST), when it is one of ``settings.LANGUAGES``; else None."""
    code = request.POST.get("language", "") if request.method == "POST" else ""
    return code if code in dict(settings.LANGUAGES) else None


def _language_set(response: HttpResponse, code: str) -> HttpResponse:
    """``response`` with the language cookie that LocaleMiddleware reads on the next request,
    set as Django's own set_language view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _progress(step: int, total: int) -> dict[str, int]:
    percent = round(step * 100 / total) if total else 0
    # The bar's width comes from a CSS class in 5 % steps: no inline style, CSP-friendly.
    return {"step": step, "total": total, "percent": percent, "width": 5 * round(percent / 5)}


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/not_found.html", status=404)


def _completed(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    return render(request, "survey/completed.html", respondent.context(), status=STATUS_USED)


def _not_open(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    survey_round = respondent.round
    context = respondent.context(not_yet_open=dj_timezone.now() < survey_round.opens_at)
    return render(request, "survey/not_open.html", context, status=STATUS_NOT_OPEN)


def _respondent_view(
    *, used_ok: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve the token into a Respondent; answer unknown, used and closed links itself.

    With ``used_ok`` the view is also called for a used invitation (the thank-you page).
    Responses are marked uncacheable.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        # never_cache: a shared computer's Back button must not replay someone's answers.
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
            invitation = invitation_get_by_token(token=token)
            if invitation is None:
                return _not_found(request)
            respondent = Respondent(invitation, token)
            if invitation.used:
                if used_ok:
                    return view(request, respondent, **kwargs)
                return _completed(request, respondent)
            if not invitation.round.is_open():
                return _not_open(request, respondent)
            return view(request, respondent, **kwargs)

        return wrapper

    return decorator


@methods_allowed("GET", "HEAD")
@_respondent_view()
def welcome(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    """Purpose, time needed and what stays anonymous; a started draft resumes instead."""
    if respondent.profile:
        return redirect(respondent.resume_url())
    return render(request, "survey/welcome.html", respondent.context())


@methods_allowed("GET", "HEAD", "POST")
@_respondent_view()
def profile(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    """Step 1: side, function, level and the round's own profile questions (prefilled from
    the draft, else function and level from the invitation). The invitation's side is asked
    to be confirmed, never preselected (:class:`ProfileForm`)."""
    invitation = respondent.invitation
    attributes = respondent.round.profile_attributes or []
    language = _language_chosen(request)
    if request.method == "POST" and language:
        # A language button: the same page in that language, with what was typed so far
        # (saved when complete; otherwise carried over as the form's initial values).
        form = respondent.profile_form(request.POST)
        if form.is_valid() and invitation_save_profile(invitation=invitation, **form.profile()):
            return _language_set(redirect(respondent.url("profile")), language)
        respondent.language_set(language)
        form = respondent.profile_form(initial=request.POST.dict())
        return _language_set(_profile_render(request, respondent, form), language)
    if request.method == "POST":
        form = respondent.profile_form(request.POST)
        if form.is_valid():
            saved = invitation_save_profile(invitation=invitation, **form.profile())
            if not saved:
                return _completed(request, respondent)
            first = respondent.url("page", 1) if respondent.page_count else respondent.url("review")
            return redirect(first)
    else:
        initial = {
            "function": invitation.function if invitation.function in Function.values else "",
            "level": invitation.level if invitation.level in Level.values else "",
        }
        initial.update(ProfileForm.initial_from_draft(respondent.profile, attributes))
        form = respondent.profile_form(initial=initial)
    return _profile_render(request, respondent, form)


def _profile_render(
    request: HttpRequest, respondent: Respondent, form: ProfileForm, status: int = 200
) -> HttpResponse:
    context = respondent.context(step=1, form=form, switcher_form="survey-form")
    return render(request, "survey/profile.html", context, status=status)


@methods_allowed("GET", "HEAD", "POST")
@_respondent_view()
def page(request: HttpRequest, respondent: Respondent, n: int) -> HttpResponse:
    """Step n+1: the n-th page's items (:func:`survey_pages`). Next and Back both save what is
    on the page."""
    if not 1 <= n <= respondent.page_count:
        # A page the questionnaire does not have (a mistyped or stale address): the link
        # itself is good, so go on where the respondent left off.
        return redirect(respondent.resume_url())
    if not respondent.profile:
        return redirect(respondent.url("profile"))
    language = _language_chosen(request)
    if request.method == "POST":
        form = respondent.page_form(n, request.POST)
        if form.is_valid():
            going_back = request.POST.get("action") == "back"
            saved = invitation_save_page(
                invitation=respondent.invitation,
                answers=form.answers(),
                predicted=form.predicted(),
                page=None if going_back or language else n,
            )
            if not saved:
                return _completed(request, respondent)
            if language:
                # A language button: what was answered is saved; the same page, translated.
                return _language_set(redirect(respondent.url("page", n)), language)
            if going_back:
                previous = respondent.url("page", n - 1) if n > 1 else respondent.url("profile")
                return redirect(previous)
            if n < respondent.page_count:
                return redirect(respondent.url("page", n + 1))
            return redirect(respondent.url("review"))
        if language:
            respondent.language_set(language)
            form = respondent.page_form(n, request.POST)
            form.is_valid()
            return _language_set(_page_render(request, respondent, n, form), language)
    else:
        initial = DimensionPageForm.initial_from_draft(
            respondent.pages[n - 1].items, respondent.answers, respondent.predicted
        )
        form = respondent.page_form(n, initial=initial)
    return _page_render(request, respondent, n, form)


def _page_render(
    request: HttpRequest,
    respondent: Respondent,
    n: int,
    form: DimensionPageForm,
    status: int = 200,
) -> HttpResponse:
    context = respondent.context(
        switcher_form="survey-form",
        step=n + 1,
        form=form,
        survey_page=respondent.pages[n - 1],
        page_number=n,
        dont_know_value=DONT_KNOW,
    )
    return render(request, "survey/page.html", context, status=status)


@methods_allowed("GET", "HEAD")
@_respondent_view()
def review(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    """Every answer given, page by page, with links to change them, and the Submit button."""
    if not respondent.profile:
        return redirect(respondent.url("profile"))
    return _review_render(request, respondent)


def _review_render(request: HttpRequest, respondent: Respondent, status: int = 200) -> HttpResponse:
    labels = respondent.scale_labels
    dont_know_label = respondent.dont_know_label
    meta_prompt = respondent.meta_prompt
    answers = respondent.answers
    predicted = respondent.predicted
    sections = []
    unanswered = 0
    for number, survey_page in enumerate(respondent.pages, start=1):
        rows = []
        for item in survey_page.items:
            value = answers.get(item.code)
            is_comment = item.kind not in SCALE_KINDS
            guess = ""
            asks_meta = bool(meta_prompt) and item.meta_perception
            if is_comment:
                shown = value or ""
            elif value == DONT_KNOW and dont_know_label:
                shown = dont_know_label
            else:
                valid = isinstance(value, int) and 1 <= value <= len(labels)
                shown = labels[value - 1] if valid else ""
                unanswered += not valid
            if asks_meta:
                point = predicted.get(item.code)
                valid = isinstance(point, int) and 1 <= point <= len(labels)
                guess = labels[point - 1] if valid else ""
            rows.append(
                {
                    "item": item,
                    "text": item.text_in(respondent.language),
                    "answer": shown,
                    "is_comment": is_comment,
                    "is_dont_know": value == DONT_KNOW,
                    "asks_meta": asks_meta,
                    "predicted": guess,
                }
            )
        sections.append({"page": survey_page, "number": number, "rows": rows})
    profile_labels = {
        "side": dict(Side.choices).get(respondent.profile.get("side"), ""),
        "function": dict(Function.choices).get(respondent.profile.get("function"), ""),
        "level": dict(Level.choices).get(respondent.profile.get("level"), ""),
    }
    chosen = respondent.profile.get(DRAFT_ATTRIBUTES) or {}
    profile_attributes = [
        {
            "label": attribute_label(entry, respondent.language),
            "value": attribute_choice_label(
                entry, chosen.get(entry["name"], ""), respondent.language
            ),
        }
        for entry in respondent.round.profile_attributes or []
    ]
    context = respondent.context(
        step=respondent.step_count,
        sections=sections,
        meta_prompt=meta_prompt,
        profile_labels=profile_labels,
        profile_attributes=profile_attributes,
        unanswered=unanswered,
    )
    return render(request, "survey/review.html", context, status=status)


@methods_allowed("GET", "HEAD", "POST")
@_respondent_view()
def submit(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    """POST: store the response once; a second submit sees "already completed"."""
    if request.method != "POST":
        return redirect(respondent.url("review"))
    try:
        response = response_submit(invitation=respondent.invitation, language=get_language())
    except DraftIncompleteError:
        return redirect(respondent.url("profile"))
    except RoundNotOpenError:
        return _not_open(request, respondent)
    if response is None:
        return _completed(request, respondent)
    return redirect(respondent.url("thanks"))


@methods_allowed("GET", "HEAD")
@_respondent_view(used_ok=True)
def thanks(request: HttpRequest, respondent: Respondent) -> HttpResponse:
    """The thank-you page, shown once the link has been used."""
    if not respondent.invitation.used:
        return redirect(respondent.resume_url())
    return render(request, "survey/thanks.html", respondent.context())


# --- An expired page: the CSRF failure view -------------------------------------------------

# 200, not 403: the page is shown for the respondent to carry on, and a proxy that replaces
# error pages with its own must not swallow it.
STATUS_EXPIRED = 200
EXPIRED_PAGES = {"profile", "page", "submit"}
EXPIRED_MESSAGE = gettext_lazy("Your page had expired; check your answers and press Next again.")
EXPIRED_SUBMIT_MESSAGE = gettext_lazy(
    "Your page had expired; your answers are saved. Check them and press Submit again."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a failed CSRF check never loses a respondent's answers.

    On a survey page POST (profile, a dimension page, submit) the same page is shown again,
    with what was typed (nothing is saved: the request failed its check), a message asking
    to check and press Next again, and a fresh CSRF token. Anywhere else, and for a link
    that is unknown, used or closed, Django's page with templates/403_csrf.html.
    """
    response = _survey_page_expired(request)
    if response is not None:
        return response
    return csrf.csrf_failure(request, reason=reason, template_name="403_csrf.html")


def _survey_page_expired(request: HttpRequest) -> HttpResponse | None:
    """The survey page the failed POST came from, shown again; None when it is not one."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace != "survey" or match.url_name not in EXPIRED_PAGES:
        return None
    token = match.kwargs.get("token", "")
    invitation = invitation_get_by_token(token=token)
    if invitation is None or invitation.used or not invitation.round.is_open():
        return None
    respondent = Respondent(invitation, token)
    n = match.kwargs.get("n", 0)
    if match.url_name == "page" and not 1 <= n <= respondent.page_count:
        return None
    if match.url_name == "submit" and not respondent.profile:
        return None

    if match.url_name == "submit":
        messages.warning(request, EXPIRED_SUBMIT_MESSAGE)
        response = _review_render(request, respondent)
    elif match.url_name == "profile":
        messages.warning(request, EXPIRED_MESSAGE)
        form = respondent.profile_form(request.POST)
        form.is_valid()  # show the choices typed, and any problem with them
        response = _profile_render(request, respondent, form)
    else:
        messages.warning(request, EXPIRED_MESSAGE)
        form = respondent.page_form(n, request.POST)
        form.is_valid()
        response = _page_render(request, respondent, n, form)
    response.status_code = STATUS_EXPIRED
    add_never_cache_headers(response)
    return response
