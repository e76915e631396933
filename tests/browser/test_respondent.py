"""The respondent's path in Chromium: keyboard only, screen-reader semantics, announced errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Item
from survey.models import Answer, Response
from survey.scale import DONT_KNOW, PREDICTED_SUFFIX
from tests.browser.helpers import Respondent, questionnaire_pages, scale_items

COMMENT = "Reviews come late; we learn about controls when a change is blocked."


def focus_matches(page: Page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def focus_description(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName.toLowerCase()} name=${e.name || ''} value=${e.value || ''}"
        " text=${(e.innerText || '').slice(0, 40)}`; }"
    )


def press(page: Page, key: str, *, expect_focus: str) -> None:
    """Press ``key`` and check that focus landed where a keyboard user expects it."""
    page.keyboard.press(key)
    assert focus_matches(page, expect_focus), (
        f"after {key}, focus is on <{focus_description(page)}>, expected {expect_focus!r}"
    )


def tab_until(page: Page, selector: str, *, limit: int = 40) -> int:
    """Press Tab until ``selector`` has focus; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focus_matches(page, selector):
            return presses
    raise AssertionError(f"{selector!r} never got focus in {limit} Tab presses")


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves focus into <main>."""
    press(page, "Tab", expect_focus="a.skip-link")
    press(page, "Enter", expect_focus="main")


def checked_value(page: Page, name: str) -> str | None:
    return page.evaluate(
        "n => { const e = document.querySelector(`input[name='${n}']:checked`);"
        " return e ? e.value : null; }",
        name,
    )


def choose(page: Page, code: str, value: int) -> None:
    """From the control before item ``code``: Tab into its radio group, Space picks the first
    point, the right arrow moves the choice up the scale to ``value``."""
    press(page, "Tab", expect_focus=f"input[type=radio][name='{code}']")
    press(page, "Space", expect_focus=f"input[name='{code}'][value='1']")
    for _ in range(value - 1):
        page.keyboard.press("ArrowRight")
    assert checked_value(page, code) == str(value)


def planned_value(index: int) -> int:
    """The answer the keyboard user gives to the index-th statement: 1, 2, 3, 4, 5, 1, ..."""
    return index % 5 + 1


def planned_guess(index: int) -> int:
    """The keyboard user's guess of the other side's answer to the index-th meta-perception
    statement: 5, 4, 3, 2, 1, 5, ... (never the same sequence as the answers)."""
    return 5 - index % 5


def test_the_whole_respondent_path_works_with_the_keyboard_only(
    page: Page, respondent: Respondent, instrument
):
    pages = questionnaire_pages(instrument)
    # Going back is tried from the first page after one with two statements or more.
    back_from = next(
        number for number, p in enumerate(pages[:-1], start=2) if len(scale_items(p.items)) >= 2
    )
    page.goto(respondent.url("welcome"))
    press(page, "Tab", expect_focus="a.skip-link")
    press(page, "Tab", expect_focus="main a[href$='/profile/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/profile/$"))

    # Profile: radio groups take Space and arrows, the select takes arrows.
    skip_to_main(page)
    press(page, "Tab", expect_focus="input[name=side]")
    press(page, "Space", expect_focus="input[name=side][value=it]")
    press(page, "ArrowDown", expect_focus="input[name=side][value=security]")
    press(page, "Tab", expect_focus="select[name=function]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("select[name=function]", "e => e.value") == "applications"
    press(page, "Tab", expect_focus="input[name=level]")
    press(page, "Space", expect_focus="input[name=level][value=individual]")
    press(page, "ArrowRight", expect_focus="input[name=level][value=manager]")
    press(page, "Tab", expect_focus="button[value=next]")
    page.keyboard.press("Enter")

    planned: dict[str, int] = {}
    guesses: dict[str, int] = {}
    commented = False
    for number, survey_page in enumerate(pages, start=1):
        expect(page).to_have_url(re.compile(rf"/page/{number}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(survey_page.name)
        skip_to_main(page)
        # Each statement, then (a Security respondent) its follow-up guess right under it;
        # the comment boxes come after the statements.
        for item in scale_items(survey_page.items):
            planned[item.code] = planned_value(len(planned))
            choose(page, item.code, planned[item.code])
            if item.meta_perception:
                guesses[item.code] = planned_guess(len(guesses))
                choose(page, f"{item.code}{PREDICTED_SUFFIX}", guesses[item.code])
        for item in survey_page.items:
            if item.kind == Item.Kind.TEXT:
                press(page, "Tab", expect_focus=f"textarea[name='{item.code}']")
                if not commented:
                    page.keyboard.type(COMMENT)
                    commented = True
        # Back, then Next: the tab order follows the screen, left to right (issue 18).
        press(page, "Tab", expect_focus="button[value=back]")
        if number != back_from:
            press(page, "Tab", expect_focus="button.btn[value=next]")
        else:
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(rf"/page/{number - 1}/$"))
            previous_items = scale_items(pages[number - 2].items)
            for item in previous_items:
                assert checked_value(page, item.code) == str(planned[item.code])
                if item.meta_perception:
                    name = f"{item.code}{PREDICTED_SUFFIX}"
                    assert checked_value(page, name) == str(guesses[item.code])
            # Into the first statement (Tab lands on its checked option), on to the second,
            # Shift+Tab back, and the right arrow changes the answer by one point.
            first, second = previous_items[0], previous_items[1]
            assert not first.meta_perception, "the first statement's next group is its guess"
            skip_to_main(page)
            press(page, "Tab", expect_focus=f"input[name='{first.code}']:checked")
            press(page, "Tab", expect_focus=f"input[name='{second.code}']:checked")
            press(page, "Shift+Tab", expect_focus=f"input[name='{first.code}']:checked")
            planned[first.code] += 1
            changed_to = f"input[name='{first.code}'][value='{planned[first.code]}']:checked"
            press(page, "ArrowRight", expect_focus=changed_to)
            # Enter on an option submits the form with its first button: Next.
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(rf"/page/{number}/$"))
            # What was chosen on this page before going back was kept.
            for item in scale_items(survey_page.items):
                assert checked_value(page, item.code) == str(planned[item.code])
                if item.meta_perception:
                    name = f"{item.code}{PREDICTED_SUFFIX}"
                    assert checked_value(page, name) == str(guesses[item.code])
            tab_until(page, "button[value=next]")
        page.keyboard.press("Enter")

    assert guesses, "the walk never met a meta-perception statement"
    assert commented, "the walk never met a comment box"
    expect(page).to_have_url(re.compile(r"/review/$"))
    changed_item = scale_items(pages[back_from - 2].items)[0]
    changed = page.locator("dt", has_text=changed_item.text).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(changed).to_have_text(instrument.scale_labels[planned[changed_item.code] - 1])
    tab_until(page, "form[action$='/submit/'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert page.watch.console_errors == []
    assert page.watch.page_errors == []

    # The link is used up (the browser logs the 410 Gone status of this page).
    page.goto(respondent.url("welcome"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("already been completed")

    response = Response.objects.get(round=respondent.invitation.round)
    assert (response.side, response.function, response.level) == (
        "security",
        "applications",
        "manager",
    )
    stored = dict(
        Answer.objects.filter(response=response, value__isnull=False).values_list(
            "item__code", "value"
        )
    )
    assert stored == planned
    stored_guesses = dict(
        Answer.objects.filter(response=response, predicted_other__isnull=False).values_list(
            "item__code", "predicted_other"
        )
    )
    assert stored_guesses == guesses
    assert not Answer.objects.filter(response=response, dont_know=True).exists()
    assert Answer.objects.get(response=response, text=COMMENT)


def test_each_statement_is_a_group_named_by_its_text_with_options_named_by_the_scale(
    page: Page, profiled_respondent: Respondent, instrument
):
    labels = list(instrument.scale_labels)
    dont_know = instrument.dont_know_label
    assert dont_know, "the default instrument offers don't know"
    prompt = instrument.meta_prompts["it"]  # the profiled respondent is in IT
    pages = questionnaire_pages(instrument)
    total_steps = len(pages) + 2
    for number, survey_page in enumerate(pages, start=1):
        page.goto(profiled_respondent.url("page", n=number))
        progress = page.get_by_role("progressbar")
        expect(progress).to_have_accessible_name(f"Page {number + 1} of {total_steps}")
        expect(progress).to_have_attribute("aria-valuetext", f"Page {number + 1} of {total_steps}")
        statements = scale_items(survey_page.items)
        meta = [item for item in statements if item.meta_perception]
        # One group per statement, one per follow-up guess; nothing else is a group.
        expect(page.get_by_role("group")).to_have_count(len(statements) + len(meta))
        for item in statements:
            group = page.get_by_role("group", name=item.text, exact=True)
            expect(group).to_have_count(1)
            # The scale's points, then "don't know", last and in the same radio group.
            radios = group.get_by_role("radio")
            expect(radios).to_have_count(len(labels) + 1)
            for label in labels:
                expect(group.get_by_role("radio", name=label, exact=True)).to_have_count(1)
            expect(radios.last).to_have_accessible_name(dont_know)
            expect(radios.last).to_have_attribute("value", DONT_KNOW)
        follow_ups = page.get_by_role("group", name=f"{prompt} (Optional.)", exact=True)
        expect(follow_ups).to_have_count(len(meta))
        for n, item in enumerate(meta):
            # Each guess names the statement it follows, and offers the scale only.
            follow_up = follow_ups.nth(n)
            expect(follow_up).to_have_accessible_description(re.compile(re.escape(item.text)))
            expect(follow_up.get_by_role("radio")).to_have_count(len(labels))
            for label in labels:
                expect(follow_up.get_by_role("radio", name=label, exact=True)).to_have_count(1)
        for item in survey_page.items:
            if item.kind == Item.Kind.TEXT:
                expect(page.get_by_role("textbox", name=item.text, exact=True)).to_have_count(1)
    # Every statement of the instrument is on some page, once.
    asked = [item.code for p in pages for item in p.items]
    assert sorted(asked) == sorted(
        Item.objects.filter(dimension__instrument=instrument).values_list("code", flat=True)
    )
    assert pages[0].items[0].kind == Item.Kind.OUTCOME


def test_an_error_on_a_statement_is_announced_and_linked_to_it(
    page: Page, profiled_respondent: Respondent, instrument
):
    number, item = next(
        (number, item)
        for number, p in enumerate(questionnaire_pages(instrument), start=1)
        for item in p.items
        if item.kind == Item.Kind.LIKERT
    )
    page.goto(profiled_respondent.url("page", n=number))
    # A value off the scale can only come from a tampered form: the server must say so.
    page.eval_on_selector(
        f"input[name='{item.code}'][value='5']", "e => { e.value = '9'; e.checked = true; }"
    )
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose one of the options on the scale.")
    expect(alert).to_be_focused()
    group = page.get_by_role("group", name=item.text, exact=True)
    expect(group).to_have_accessible_description("Choose one of the options on the scale.")
    for radio in group.get_by_role("radio").all():
        expect(radio).to_have_attribute("aria-invalid", "true")
        expect(radio).to_have_accessible_description("Choose one of the options on the scale.")
    # The summary's link takes keyboard focus to the statement's first option.
    alert.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(group.get_by_role("radio").first).to_be_focused()
    expect(group.locator("legend")).to_be_in_viewport()


@pytest.mark.parametrize("missing", ["side", "level"])
def test_a_missing_profile_answer_is_announced_and_linked_to_its_question(
    page: Page, respondent: Respondent, missing: str
):
    page.goto(respondent.url("profile"))
    if missing != "side":
        page.get_by_role("radio", name="IT", exact=True).check()
    if missing != "level":
        page.get_by_role("radio", name="Manager", exact=True).check()
    page.get_by_label("Which function describes your work best?").select_option("governance")
    page.get_by_role("button", name="Next").click()

    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    expect(alert.get_by_role("link")).to_have_count(1)
    alert.get_by_role("link").press("Enter")
    expect(page.locator(f"#id_{missing}_0")).to_be_focused()
    # What was chosen is kept.
    expect(page.get_by_label("Which function describes your work best?")).to_have_value(
        "governance"
    )


# Contrast of each form control's border against the background behind it (WCAG 1.4.11,
# which axe-core does not check): colours parsed from the computed style, sRGB luminance.
CONTROL_BORDER_CONTRAST = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => {
    for (let n = e.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('main input:not([type=hidden]), main select')]
    .filter(e => !e.checked)
    .map(e => {
      const a = lum(rgb(getComputedStyle(e).borderTopColor)), b = lum(background(e));
      return {name: e.name, value: e.value,
              ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
    });
}
"""


def test_unchosen_options_and_fields_have_borders_with_3_to_1_contrast(
    page: Page, profiled_respondent: Respondent
):
    low = []
    for url in (profiled_respondent.url("profile"), profiled_respondent.url("page", n=1)):
        page.goto(url)
        controls = page.evaluate(CONTROL_BORDER_CONTRAST)
        assert controls
        low += [c for c in controls if c["ratio"] < 3]
    assert low == [], f"control borders below 3:1: {low[:5]}"


# --- instrument v2: "don't know", the other side's guess, the outcome statement -------------

PROMPT = "How do you think security staff would answer?"


def test_dont_know_and_the_follow_up_question_work_with_the_keyboard_and_are_named(
    page: Page, v2_respondent: Respondent
):
    page.goto(v2_respondent.url("page", n=1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall")
    skip_to_main(page)
    choose(page, "overall", 4)
    press(page, "Tab", expect_focus="button[value=back]")
    press(page, "Tab", expect_focus="button.btn[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/page/2/$"))
    a1 = Item.objects.get(
        code="a1", dimension__instrument=v2_respondent.invitation.round.instrument
    )
    group = page.get_by_role("group", name=a1.text, exact=True)
    # Don't know is the sixth radio of the statement's own group, after the five points.
    expect(group.get_by_role("radio")).to_have_count(6)
    expect(group.get_by_role("radio").last).to_have_accessible_name("Don't know")
    follow_up = page.get_by_role("group", name=f"{PROMPT} (Optional.)", exact=True)
    expect(follow_up).to_have_count(1)
    expect(follow_up.get_by_role("radio")).to_have_count(5)
    # Its description names the statement it follows.
    expect(follow_up).to_have_accessible_description(re.compile(re.escape(a1.text)))

    skip_to_main(page)
    # Past the fifth point, the arrow reaches "don't know": the same radio group.
    choose(page, "a1", 5)
    press(page, "ArrowRight", expect_focus="input[name='a1'][value='dont_know']:checked")
    # The follow-up question comes next in the tab order, right under its statement.
    choose(page, "a1__predicted_other", 2)
    choose(page, "a2", 3)
    tab_until(page, "button[value=next]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/page/3/$"))
    tab_until(page, "button[value=next]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/review/$"))
    answer = page.locator("dt", has_text=a1.text).locator("xpath=following-sibling::dd[1]")
    expect(answer).to_have_text("Don't know")
    guess = page.locator("dt", has_text=PROMPT).locator("xpath=following-sibling::dd[1]")
    expect(guess).to_have_text("Disagree")
    tab_until(page, "form[action$='/submit/'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/thanks/$"))

    stored = {
        code: (value, dont_know, guess)
        for code, value, dont_know, guess in Answer.objects.values_list(
            "item__code", "value", "dont_know", "predicted_other"
        )
    }
    assert stored == {
        "overall": (4, False, None),
        "a1": (None, True, 2),
        "a2": (3, False, None),
    }
    assert page.watch.console_errors == []
