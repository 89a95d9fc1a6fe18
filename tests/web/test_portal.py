"""A subject and an operator use the portal in a real browser (Chromium via Playwright)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in(page, key: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_subject_signs_in_disputes_an_event_and_sees_the_score_change(page, served, shot):
    sign_in(page, served["keys"]["subject"])
    expect(page.get_by_role("heading", name="Your score", exact=True)).to_be_visible()
    score = page.get_by_test_id("score-value")
    before = int(score.inner_text())
    expect(page.get_by_role("img", name=re.compile(rf"Score {before} on a scale"))).to_be_visible()
    expect(page.get_by_role("heading", name="Five dimensions")).to_be_visible()
    assert page.locator("ol.reasons li").count() >= 1
    shot(page, "subject-before-dispute")

    page.get_by_role("button", name=re.compile(r"^Dispute rent overdue from utilitel")).first.click()
    expect(page.get_by_role("status")).to_contain_text("Dispute opened")
    after = int(page.get_by_test_id("score-value").inner_text())
    assert after > before, (before, after)
    expect(page.locator("tr", has_text="disputed, awaiting the provider").first).to_be_visible()
    shot(page, "subject-after-dispute")

    page.goto("/subjects/P2")  # another subject's page
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_subject_gives_and_revokes_a_grant_with_the_keyboard(page, served):
    sign_in(page, served["keys"]["subject"])
    page.get_by_label("Viewer (partner or friend id)").fill("citybike")
    page.get_by_label("Purpose").fill("bike rental")
    page.get_by_label("Purpose").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Grant given")
    row = page.locator("#grants tbody tr", has_text="citybike")
    expect(row).to_contain_text("live")
    revoke = page.get_by_role("button", name="Revoke the grant to citybike for bike rental")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Grant revoked")
    expect(page.locator("#grants tbody tr", has_text="citybike")).to_contain_text("revoked")


def test_operator_moves_the_whatif_threshold_and_counts_change(page, served, shot):
    sign_in(page, served["keys"]["operator"])
    expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
    expect(page.get_by_role("heading", name="Policy what-if")).to_be_visible()
    page.get_by_label("Policy", exact=True).select_option("bike-deposit-free")
    after = page.get_by_test_id("wi-after")
    start = int(after.inner_text())
    shot(page, "console-before-whatif")
    page.get_by_label("Threshold", exact=True).fill("750")
    expect(page.get_by_test_id("wi-threshold")).to_have_text("750")
    moved = int(after.inner_text())
    assert moved < start
    assert int(page.get_by_test_id("wi-lost").inner_text()) == start - moved
    expect(page.locator('#wi-groups tr[data-group="sex=female"]')).to_be_visible()
    slider = page.get_by_label("Threshold slider")
    slider.focus()
    for _ in range(250):  # keyboard only: arrow the slider down to 500
        page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("wi-threshold")).to_have_text("500")
    assert int(after.inner_text()) >= start
    shot(page, "console-after-whatif")


def test_bad_key_is_refused_and_announced(page, served):
    sign_in(page, "cred_000000000000_wrong")
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    expect(page.get_by_label("API key")).to_have_attribute("aria-invalid", "true")
