"""A leader on an English browser switches the reports to French with the keyboard alone,
and comes back to the page he was on, query string included (issue 17)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import leader_page_url, log_in


def test_a_leader_switches_to_french_by_keyboard(page: Page, leader, answered_round):
    log_in(page, leader)
    target = leader_page_url("dashboard", answered_round) + "?level=manager"
    page.goto(target)
    assert page.locator("html").get_attribute("lang") == "en"
    select = page.get_by_label("Language", exact=True)
    select.focus()
    page.keyboard.press("End")  # the last language of the list: Français
    expect(select).to_have_value("fr")
    page.keyboard.press("Tab")
    expect(page.locator("footer button[type=submit]")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_label("Langue", exact=True)).to_have_value("fr")
    expect(page.locator("header")).to_contain_text("Rapports")
