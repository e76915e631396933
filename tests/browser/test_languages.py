"""The whole respondent path in French, German and Spanish in Chromium, with no English word
on any page, and a language switch mid-survey that keeps the answers; the leaders' charts
with the language's numbers and Plotly's words (issue 17)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from survey.models import Response
from survey.services.demo import REGION_ATTRIBUTE
from survey.services.invitations import invitations_issue
from survey.services.rounds import round_create
from tests.browser.helpers import leader_page_url, log_in, wait_for_charts
from tests.reports.pages import COMMA_DECIMAL, ENGLISH_DECIMAL

# Words of our English interface that no French, German or Spanish page may show, and of the
# demo round's own profile question (its region "Americas"; "Region" is German too). Language
# names in the switcher are left out: each is written in its own language.
ENGLISH = re.compile(
    r"\b(the|and|your|you|with|Next|Back|Submit|Review|Agree|Disagree|Strongly|know|Prefer|"
    r"Welcome|Thank|Thanks|Survey|survey|statement|statements|Skip|answers|Start|Change|"
    r"About|Function|Level|Side|Overall|Yes|Americas)\b"
)


def visible_text(page: Page) -> str:
    """Everything a reader or a screen reader gets on the page but the language switcher."""
    return page.evaluate(
        "() => { const body = document.body.cloneNode(true);"
        " body.querySelectorAll('.language-switcher').forEach(e => e.remove());"
        " return document.title + '\\n' + body.innerText; }"
    )


def assert_no_english(page: Page, where: str) -> None:
    found = sorted(set(ENGLISH.findall(visible_text(page))))
    assert not found, f"English on the {where} page ({page.url}): {found}"


def answer_every_question(page: Page) -> None:
    """The middle of the scale (or the first choice) for every radio group of the form."""
    page.evaluate(
        "() => { const names = new Set([...document.querySelectorAll("
        "'#survey-form input[type=radio]')].map(e => e.name));"
        " for (const n of names) { const all = document.querySelectorAll("
        "`#survey-form input[type=radio][name='${n}']`);"
        " (all[2] || all[0]).checked = true; } }"
    )


def next_button(page: Page):
    return page.locator("#survey-form button.btn-primary[name=action][value=next]")


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_a_respondent_completes_the_survey_with_no_english_word(new_page, instrument, language):
    survey_round = round_create(
        instrument=instrument,
        name="2027",
        slug=f"r-{language}",
        profile_attributes=[REGION_ATTRIBUTE],  # the demo round's own question, translated
    )
    (token,) = invitations_issue(round=survey_round, count=1)
    page = new_page(locale=language)

    page.goto(f"/s/{token}/")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_english(page, "welcome")
    page.locator("main a.btn-primary").click()

    page.check("input[name=side][value=it]")
    for name, value in (("function", "infrastructure"), ("level", "manager")):
        field = page.locator(f"[name={name}]").first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            page.check(f"input[name={name}][value={value}]")
    page.check("input[name=attribute_region][value=Americas]")
    assert_no_english(page, "profile")
    next_button(page).click()

    pages = 0
    while "/review/" not in page.url:
        pages += 1
        assert pages < 20, "the survey never reached its review page"
        assert_no_english(page, f"statements {pages}")
        answer_every_question(page)
        next_button(page).click()
        page.wait_for_load_state()

    assert_no_english(page, "review")
    page.locator("main form button.btn-primary").click()
    page.wait_for_url(re.compile(r"/thanks/"))
    assert_no_english(page, "thank-you")
    attributes = Response.objects.get(round=survey_round).attributes
    assert attributes == {"language": language, "region": "Americas"}  # the declared choice


def test_switching_language_mid_survey_keeps_the_answers(new_page, instrument):
    survey_round = round_create(instrument=instrument, name="2027", slug="switch")
    (token,) = invitations_issue(round=survey_round, count=1)
    page = new_page()  # English

    page.goto(f"/s/{token}/profile/")
    page.check("input[name=side][value=security]")
    page.locator(".language-switcher button[value=de]").click()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.is_checked("input[name=side][value=security]")  # typed, not yet saved

    for name in ("function", "level"):
        field = page.locator(f"[name={name}]").first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(index=1)
        else:
            page.locator(f"input[name={name}]").first.check()
    next_button(page).click()
    first = page.locator("#survey-form input[type=radio]").first
    name = first.get_attribute("name")
    page.check(f"input[name='{name}'][value='4']")

    page.locator(".language-switcher button[value=es]").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.is_checked(f"input[name='{name}'][value='4']")
    page.locator(".language-switcher button[value=fr]").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.is_checked(f"input[name='{name}'][value='4']")


def test_the_check_finds_english_on_an_english_page(new_page, instrument):
    """The word list is not blind: the same check fails on the English welcome page."""
    survey_round = round_create(instrument=instrument, name="2027", slug="english")
    (token,) = invitations_issue(round=survey_round, count=1)
    page = new_page()
    page.goto(f"/s/{token}/")
    with pytest.raises(AssertionError, match="English on the welcome page"):
        assert_no_english(page, "welcome")


# Plotly's tip on the first click on a legend entry, as plotly_locales.js translates it.
LEGEND_TIP = {
    "fr": "Double-cliquer sur la légende pour isoler une série",
    "de": "Daten isolieren durch Doppelklick in der Legende",
    "es": "Haga doble-clic en la leyenda para aislar una traza",
}
# Each chart as drawn: the locale and separators Plotly used, and the texts of its SVG.
DRAWN_CHARTS = """
() => [...document.querySelectorAll('[data-figure]')].map(c => ({
  id: c.getAttribute('data-figure'),
  locale: c._context.locale,
  separators: c._fullLayout.separators,
  texts: [...c.querySelectorAll('svg text')].map(t => t.textContent),
}))
"""
# Points over the heatmap's cells, whose hover text Plotly formats (%{z:.1f}) itself.
HEATMAP_POINTS = """
c => {
  const b = c.querySelector('.hm image').getBoundingClientRect();
  const points = [];
  for (let i = 1; i < 40; i++) points.push({x: b.left + b.width / 4, y: b.top + b.height * i / 40});
  return points;
}
"""


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_the_dashboards_charts_write_numbers_and_plotlys_words_in_the_language(
    new_page, leader, answered_round, language
):
    page = new_page(locale=language)
    log_in(page, leader)
    page.goto(leader_page_url("dashboard", answered_round))
    wait_for_charts(page)

    charts = page.evaluate(DRAWN_CHARTS)
    assert {chart["id"] for chart in charts} == {"figure-gap", "figure-heatmap", "figure-radar"}
    for chart in charts:
        assert chart["locale"] == language, chart["id"]
        assert chart["separators"][0] == ",", chart["id"]
        assert not [t for t in chart["texts"] if ENGLISH_DECIMAL.search(t)], chart["id"]
    assert any(COMMA_DECIMAL.search(t) for chart in charts for t in chart["texts"])

    heatmap = page.locator('[data-figure="figure-heatmap"]')
    heatmap.scroll_into_view_if_needed()
    hover = heatmap.locator(".hoverlayer .hovertext")
    for point in heatmap.evaluate(HEATMAP_POINTS):
        page.mouse.move(point["x"], point["y"])
        page.wait_for_timeout(50)
        if hover.count():
            break
    expect(hover.first).to_have_text(COMMA_DECIMAL)
    assert not ENGLISH_DECIMAL.search(hover.first.text_content())
    page.mouse.move(0, 0)

    legend = page.locator('[data-figure="figure-gap"] .legend .traces').first
    legend.scroll_into_view_if_needed()
    legend.click()
    expect(page.locator(".plotly-notifier")).to_contain_text(LEGEND_TIP[language])
    assert page.watch.console_errors == []
    assert page.watch.page_errors == []
    assert page.watch.foreign_requests() == []
