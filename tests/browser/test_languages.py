"""The whole respondent path in French, German and Spanish in Chromium, with no English word
on any page, and a language switch mid-survey that keeps the answers (issue 17)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from survey.models import Response
from survey.services.demo import REGION_ATTRIBUTE
from survey.services.invitations import invitations_issue
from survey.services.rounds import round_create

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
