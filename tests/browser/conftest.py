"""Browser-test fixtures: a live server, headless Chromium through Playwright, axe-core, data.

The browser tests drive Debian's Chromium (never a browser downloaded by Playwright). Outside
CI a machine without Chromium skips them with a message saying how to install it; with
``CI=true`` a missing browser fails the run instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from django.contrib.auth.models import Group, User

from assessment.models import Instrument
from assessment.services import instrument_load
from survey.models import Invitation, SurveyRound
from survey.services.invitations import invitations_issue
from survey.services.responses import invitation_save_profile, responses_create_bulk
from survey.services.rounds import round_create
from survey.tokens import token_hash
from tests.browser.helpers import LEADER_PASSWORD, LEADER_USERNAME, Respondent, scale_codes

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "install Debian's Chromium with `apt-get install -y chromium chromium-driver` "
    "(or point CHROMIUM_PATH at a Chromium binary) and `pip install -r requirements-dev.txt`"
)
# Fail fast: a page that needs more than this is broken, not slow.
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser` (select or skip them with `-m`)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    """The Chromium binary to drive: $CHROMIUM_PATH, else Debian's, else one on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _browser_required() -> bool:
    """In CI (CI=true) and for `make screenshots` (BROWSER_REQUIRED=1) skipping is no option."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}
        for name in ("CI", "BROWSER_REQUIRED")
    )


def _unavailable(reason: str) -> None:
    """Skip the browser tests on a laptop; fail them in CI, where a browser is required."""
    message = f"{reason}: {INSTALL_HINT}."
    if _browser_required():
        pytest.fail(f"A browser is required here and cannot be run. {message}", pytrace=False)
    pytest.skip(message)


try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    if _browser_required():
        raise
    # The test modules import Playwright: leave them out, and say so at the end of the run.
    collect_ignore_glob = ["test_*.py", "screenshots.py"]


def pytest_terminal_summary(terminalreporter) -> None:
    if "collect_ignore_glob" in globals():
        terminalreporter.write_line(
            f"Browser tests left out: Playwright for Python is not installed; {INSTALL_HINT}."
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (each test gets its own context)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("No Chromium found")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse the
    # ORM calls the fixtures make, although they are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            chromium = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What a page did behind the scenes: console errors, uncaught exceptions, requests."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to any host other than the app's (data: and blob: URLs are local)."""
        own = urlsplit(self.origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "blob", "about"} and urlsplit(url).netloc != own
        ]


def _watch(page: Page, origin: str) -> PageWatch:
    watch = PageWatch(origin=origin)
    page.on(
        "console",
        lambda message: (
            watch.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("request", lambda request: watch.requests.append(request.url))
    return watch


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts against the live server.

    ``new_page(width=360, height=740)`` gives a phone-sized page; every page carries its
    ``PageWatch`` as ``page.watch``. Contexts are closed after the test.
    """
    contexts: list[BrowserContext] = []

    def open_page(
        *, width: int = 1280, height: int = 900, accept_downloads: bool = False, **options: Any
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            accept_downloads=accept_downloads,
            **{"locale": "en-GB", **options},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.watch = _watch(page, live_server.url)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page (1280 × 900) against the live server."""
    return new_page()


# --- axe-core ---------------------------------------------------------------------------


def _axe_source() -> str:
    """axe.min.js as bundled by the axe-playwright-python package (from PyPI)."""
    try:
        from axe_playwright_python.base import AXE_FILE_PATH
    except ImportError:
        _unavailable("axe-playwright-python (which bundles axe-core) is not installed")
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_source() -> str:
    return _axe_source()


# --- data ---------------------------------------------------------------------------------


@pytest.fixture
def instrument(live_server) -> Instrument:
    """The default instrument (v2), loaded from its YAML file: the outcome statement's
    dimension ``overall`` and twelve scored dimensions."""
    return instrument_load().instrument


@pytest.fixture
def survey_round(instrument: Instrument) -> SurveyRound:
    """An open round of the default instrument, k = 5."""
    return round_create(instrument=instrument, name="Browser round", slug="browser")


@pytest.fixture
def respondent(survey_round: SurveyRound) -> Respondent:
    """A fresh invitation to the open round, nothing prefilled."""
    (token,) = invitations_issue(round=survey_round, count=1)
    return Respondent(token, Invitation.objects.get(token_hash=token_hash(token)))


@pytest.fixture
def profiled_respondent(respondent: Respondent) -> Respondent:
    """An invitation whose profile step is done (IT, infrastructure, manager)."""
    invitation_save_profile(
        invitation=respondent.invitation, side="it", function="infrastructure", level="manager"
    )
    respondent.invitation.refresh_from_db()
    return respondent


@pytest.fixture
def answered_round(survey_round: SurveyRound, instrument: Instrument) -> SurveyRound:
    """The round with 14 IT, 11 Security and 2 'other' responses (seeded random answers to
    every statement on the scale, the outcome statement too).

    IT answers lean favourable and Security unfavourable, so every chart has something to
    draw; 'other' is below k = 5 and stays suppressed.
    """
    codes = scale_codes(instrument)
    rng = random.Random(20261130)

    def answers(lean: int) -> dict[str, int | str]:
        return {code: min(5, max(1, rng.randint(2, 4) + lean)) for code in codes}

    specs = [("it", 1)] * 14 + [("security", -1)] * 11 + [("other", 0)] * 2
    responses_create_bulk(
        round=survey_round,
        responses=[
            {"side": side, "function": "", "level": "", "answers": answers(lean)}
            for side, lean in specs
        ],
    )
    invitations_issue(round=survey_round, count=20, side="it")
    invitations_issue(round=survey_round, count=15, side="security")
    return survey_round


@pytest.fixture
def leader(live_server) -> User:
    """A member of the Leaders group (the group comes from a reports migration; transactional
    tests flush it, so it is recreated here when missing)."""
    group, _ = Group.objects.get_or_create(name="Leaders")
    user = User.objects.create_user(LEADER_USERNAME, password=LEADER_PASSWORD)
    user.groups.add(group)
    return user


# How favourably each side sees each dimension (mean item score 1..5 after reverse coding)
# in the board-pack rounds: four breakdowns in the spring, fewer in the autumn before it.
BOARD_MEANS: dict[str, tuple[float, float]] = {
    "speed_control": (2.3, 3.7),
    "early_involvement": (3.8, 2.2),
    "shared_objectives": (3.3, 2.6),
    "communication_trust": (3.1, 2.85),
    "incident_roles": (3.9, 3.8),
    "operational_handoffs": (2.9, 2.5),
    "new_technology": (2.6, 2.4),
}
BOARD_COMMENTS = {
    "it": "Security reviews add weeks to every release.",
    "security": "Projects reach us a week before go-live.",
}


def board_round_create(
    instrument: Instrument, *, slug: str, days_ago: int, seed: int, shrink: float
) -> SurveyRound:
    """A round shaped like the demo: 60 IT and 45 Security respondents at three levels, 8
    others, comments, and invitations of every side; ``shrink`` scales the gaps."""
    from django.utils import timezone

    from assessment.models import Item

    opens = timezone.now() - dt.timedelta(days=days_ago)
    survey_round = round_create(
        instrument=instrument,
        name=f"Board pack {slug}",
        slug=slug,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=30),
    )
    items = list(Item.objects.filter(dimension__instrument=instrument).select_related("dimension"))
    rng = np.random.default_rng(seed)
    points = instrument.scale_points
    levels = ["individual"] * 7 + ["manager"] * 2 + ["executive"]
    responses = []
    for side, count in (("it", 60), ("security", 45), ("other", 8)):
        for n in range(count):
            answers: dict[str, int | str] = {}
            mood = rng.normal(0, 0.35)
            for item in items:
                it_mean, security_mean = BOARD_MEANS.get(item.dimension.code, (3.2, 3.1))
                middle = (it_mean + security_mean) / 2
                mean = {"it": it_mean, "security": security_mean}.get(side, middle)
                mean = middle + shrink * (mean - middle)
                if item.kind == Item.Kind.TEXT:
                    if side in BOARD_COMMENTS and rng.random() < 0.3:
                        answers[item.code] = BOARD_COMMENTS[side]
                    continue
                score = int(np.clip(np.rint(rng.normal(mean + mood, 0.8)), 1, points))
                answers[item.code] = points + 1 - score if item.reverse_scored else score
            responses.append(
                {
                    "side": side,
                    "function": "",
                    "level": levels[n % len(levels)] if side != "other" else "",
                    "answers": answers,
                }
            )
    responses_create_bulk(round=survey_round, responses=responses)
    invitations_issue(round=survey_round, count=80, side="it")
    invitations_issue(round=survey_round, count=60, side="security")
    invitations_issue(round=survey_round, count=12, side="other")
    return survey_round


@pytest.fixture
def board_round(instrument: Instrument) -> SurveyRound:
    """The spring round of two demo-like rounds (the autumn one before it, gaps smaller), so
    the executive summary has findings, leaders versus staff and a change to report."""
    board_round_create(instrument, slug="autumn", days_ago=200, seed=1, shrink=0.5)
    return board_round_create(instrument, slug="spring", days_ago=20, seed=2, shrink=1.0)


@pytest.fixture
def v2_respondent(live_server) -> Respondent:
    """An IT respondent (profile done) of an open round of a small instrument with instrument
    v2's respondent features: "Don't know", ``a1`` a meta-perception statement, ``overall``
    an outcome statement (asked first, on a page of its own). Pages: Overall, A, B."""
    from assessment.models import Item
    from tests.conftest import small_instrument_create
    from tests.factories import ItemFactory

    instrument = small_instrument_create()
    instrument.dont_know_label = "Don't know"
    instrument.meta_prompts = {
        "it": "How do you think security staff would answer?",
        "security": "How do you think IT staff would answer?",
    }
    instrument.save()
    Item.objects.filter(dimension__instrument=instrument, code="a1").update(meta_perception=True)
    ItemFactory(
        dimension=instrument.dimensions.get(code="b"),
        code="overall",
        kind=Item.Kind.OUTCOME,
        order=20,
        text="Overall, IT and security work well together here.",
    )
    survey_round = round_create(instrument=instrument, name="Browser v2", slug="browser-v2")
    (token,) = invitations_issue(round=survey_round, count=1)
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    return Respondent(token, invitation)
