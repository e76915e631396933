"""Single sign-on in Chromium: the log-in page's link, the provider's own login form
(tests/oidc), and back to the reports."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_a_leader_signs_in_with_single_sign_on_from_the_login_page(page: Page, sso, live_server):
    page.goto("/reports/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/reports/$"))

    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(sso.issuer)}/interaction/"))
    page.locator("input[name=login]").fill("leader")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()

    expect(page).to_have_url(f"{live_server.url}/reports/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    assert not page.watch.page_errors
