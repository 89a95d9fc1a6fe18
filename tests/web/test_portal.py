"""Every role's main flow in a real browser (Debian's Chromium via Playwright), at 1280 and 390 px.

Each page a role reaches is checked at both widths: no sideways scrolling at 390 px, no serious or critical
axe-core violation, and a screenshot in test-artifacts/ (git-ignored) for review. One served app per module.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTHS = {"desk": 1280, "phone": 390}


@pytest.fixture(scope="module")
def served(web_template, tmp_path_factory, serve):
    """The scored test workspace plus what every panel needs: a grant, decisions, a certificate, quarantine."""
    from credence.app import create_app
    from credence.services.certificates import certify
    from credence.services.decisions import decide
    from credence.services.grants import grant
    from credence.services.ingest import ingest_records

    root = tmp_path_factory.mktemp("portal") / "ws"
    shutil.copytree(web_template["root"], root)
    app = create_app(root)
    ws = app.state.ctx.ws
    grant(ws, "P1", "citybike", "decisions", "bike rental", "30d")
    grant(ws, "P4", "citybike", "decisions", "bike rental", "3d")
    grant(ws, "P4", "citybike", "score", "bike rental", "30d")
    decide(ws, "P1", "bike-deposit-free", "citybike")
    decide(ws, "P4", "bike-deposit-free", "citybike")
    token = certify(ws, "P1", "citybike", requested_by="P1")["token"]
    ingest_records(
        ws.store,
        [
            {
                "event_id": "X1",
                "provider_id": "utilitel",
                "entity_id": "P1",
                "occurred_at": "2026-01-01",
                "type": "no_such",
            }
        ],
        source="test",
        catalogue=ws.catalogue,
    )
    with serve(app) as srv:
        yield {"url": srv.url, "keys": web_template["keys"], "app": app, "token": token}
    ws.close()


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_page(page, path: str, name: str, shot) -> None:
    """Open ``path`` at both widths: no sideways scroll on a phone, 0 serious/critical axe findings, screenshots."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui"), path
        if width <= 400:
            assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)} px at {width} px"
        assert serious_violations(page) == [], path
        shot(page, f"{name}-{label}")
    page.set_viewport_size({"width": 1280, "height": 900})


def count(locator) -> int:
    """A count as the page shows it ("13,656")."""
    return int(locator.inner_text().replace(",", ""))


def sign_in_with_key(page, key: str) -> None:
    page.goto("/signin")
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("signed out")


def test_the_overflow_check_catches_a_page_that_scrolls_sideways(page, served):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/signin")
    assert overflow(page) <= 0
    page.evaluate(  # a wide block, as an unwrapped table would be (set through the CSSOM: CSP forbids style="")
        "const d = document.createElement('div'); d.style.width = '900px'; d.textContent = 'x';"
        "document.querySelector('main').append(d)"
    )
    assert overflow(page) > 400


def test_subject_signs_in_with_a_code_reads_the_sum_disputes_with_a_reason_and_shares(page, served, shot):
    from credence.services.sessions import issue_code

    code = issue_code(served["app"].state.ctx.store, "P1", issued_by="test")["code"]
    page.goto(f"/signin/link?code={code}")
    check_page(page, f"/signin/link?code={code}", "signin", shot)
    page.get_by_role("button", name="Sign in with the code").click()
    expect(page.get_by_role("heading", name="Your score", exact=True)).to_be_visible()

    before = int(page.get_by_test_id("score-value").inner_text())
    expect(page.get_by_role("img", name=re.compile(rf"Score {before} on a scale"))).to_be_visible()
    cells = page.locator("[data-testid=score-sum] tbody td.num:nth-child(2)").all_inner_texts()
    assert len(cells) == 6 and sum(int(c) for c in cells) == before  # base + five dimensions = the score
    assert int(page.get_by_test_id("score-total").inner_text()) == before
    assert page.locator("ol.reasons li").count() >= 1
    check_page(page, "/subjects/P1", "subject", shot)

    first = page.locator("#simulator input[type=checkbox]").first  # the simulator adds a reason's own points
    gain = int(re.search(r"\+(\d+)", page.locator("#simulator .check label").first.inner_text()).group(1))
    reason = page.locator("ol.reasons li").first.inner_text()
    assert f"about {gain} points" in reason
    first.check()
    page.get_by_role("button", name="Simulate").click()
    assert int(page.get_by_test_id("sim-score").inner_text()) == min(950, before + gain)
    assert int(page.get_by_test_id("score-value").inner_text()) == before  # simulating changes nothing

    page.set_viewport_size({"width": 390, "height": 900})  # dispute from a phone
    row = page.locator("tr[data-event]", has_text="Rent overdue").first
    row.get_by_text("Dispute…").click()
    form = row.locator("form.dispute-form")
    form.get_by_label("Why is it wrong?").select_option("paid-on-time")
    form.get_by_label("Details").fill("paid by bank transfer on the due date")
    form.get_by_role("button", name="Send dispute").click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Dispute opened")
    after = int(page.get_by_test_id("score-value").inner_text())
    assert after > before
    expect(notice).to_contain_text(f"from {before} to {after}")
    expect(notice).to_be_in_viewport()
    dispute = page.locator("li[data-dispute]").first
    expect(dispute).to_contain_text("Rent overdue")
    expect(dispute).to_contain_text("I paid on time")
    assert re.search(r"\d{4}-\d\d-\d\d", dispute.inner_text())
    shot(page, "subject-after-dispute-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Viewer (partner or friend id)").fill("citybike")
    page.get_by_label("Purpose").fill("hotel check-in")
    page.get_by_label("Purpose").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Grant given")
    expect(page.get_by_role("status")).to_be_in_viewport()
    revoke = page.get_by_role("button", name="Revoke the grant to citybike for hotel check-in")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Grant revoked")

    rows = page.locator("section[aria-labelledby=access-h] tbody tr").all_inner_texts()
    assert rows and not any(re.search(r"\bP1\b", r) for r in rows)  # the subject's own views are not listed

    page.get_by_role("link", name=re.compile("Everything Credence holds")).click()
    expect(page.get_by_role("heading", name=re.compile("Everything Credence holds about"))).to_be_visible()
    text = page.locator("main").inner_text()
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)[:5]
    check_page(page, "/subjects/P1/disclosure", "disclosure", shot)
    page.get_by_role("link", name=re.compile("Back to your page")).click()
    expect(page.get_by_role("heading", name="Your score", exact=True)).to_be_visible()

    page.goto("/subjects/P2")  # another subject's page
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.goto("/me")
    sign_out(page)
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/signin"))


def test_partner_sees_grants_decisions_checks_a_certificate_and_policies(page, served, shot):
    sign_in_with_key(page, served["keys"]["partner"])
    expect(page.get_by_role("heading", name="Partner citybike")).to_be_visible()
    grants = page.locator("#grants tbody tr")
    expect(grants.filter(has_text="P1").filter(has_text="bike rental")).to_contain_text("live")
    expect(grants.filter(has_text="hotel check-in")).to_contain_text("revoked")
    expect(page.locator('#grants tr[data-status="expiring"]')).to_have_count(1)
    expect(page.get_by_role("heading", name="Decisions you made")).to_be_visible()
    expect(page.locator("section[aria-labelledby=dec-h] tbody tr")).to_have_count(2)
    expect(page.locator("section[aria-labelledby=pol-h]")).to_contain_text("bike-deposit-free")
    check_page(page, "/partner", "partner", shot)

    page.get_by_label("Certificate", exact=True).fill(served["token"])
    page.get_by_role("button", name="Check certificate").click()
    expect(page.locator("#check-result")).to_contain_text("Valid")
    expect(page.locator("#check-result")).to_contain_text("P1")
    page.get_by_label("Certificate", exact=True).fill(served["token"][:-4] + "AAAA")
    page.get_by_role("button", name="Check certificate").click()
    expect(page.locator("#check-result")).to_contain_text("Not valid")
    sign_out(page)


def test_auditor_reads_a_pseudonymised_log_reports_per_card_drift_and_quarantine(page, served, shot):
    sign_in_with_key(page, served["keys"]["auditor"])
    expect(page.get_by_role("heading", name="Audit", exact=True)).to_be_visible()
    log = page.locator("section[aria-labelledby=log-h] tbody").inner_text()
    assert "ps1:" in log and "sha256:" not in log and not re.search(r"\bP[1-4]\b", log)
    cards = served["app"].state.ctx.cards
    expect(page.locator("article")).to_have_count(len({c.ref for c in cards.values()}))  # one per scorecard
    expect(page.locator("#drift-bands thead")).to_contain_text("Earlier, as of")
    heads = page.locator("#drift-bands thead th").all_inner_texts()
    assert heads[1].split("as of ")[1] != heads[2].split("as of ")[1]
    assert count(page.get_by_test_id("quarantine-total")) >= 1
    check_page(page, "/audit", "audit", shot)
    page.goto("/console")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.goto("/audit")
    sign_out(page)


def test_operator_moves_the_whatif_threshold_searches_and_opens_an_entity(page, served, shot):
    sign_in_with_key(page, served["keys"]["operator"])
    expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
    check_page(page, "/console", "console", shot)
    page.get_by_label("Policy", exact=True).select_option("bike-deposit-free")
    after = page.get_by_test_id("wi-after")
    start = count(after)
    page.get_by_label("Threshold", exact=True).fill("750")
    expect(page.get_by_test_id("wi-threshold")).to_have_text("750")
    moved = count(after)
    assert moved < start
    assert count(page.get_by_test_id("wi-lost")) == start - moved
    expect(page.locator('#wi-groups tr[data-group="sex=female"]')).to_be_visible()
    slider = page.get_by_label("Threshold slider")
    slider.focus()
    for _ in range(250):  # keyboard only: arrow the slider down to 500
        page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("wi-threshold")).to_have_text("500")
    assert count(after) >= start
    expect(page.locator("#drift-bands")).to_be_visible()
    assert count(page.get_by_test_id("quarantine-total")) >= 1

    page.get_by_label("Id starts with").fill("p")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-result")).to_contain_text("4 matches")
    page.get_by_label("Band", exact=True).select_option("insufficient data")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-result")).to_contain_text("1 match")
    page.get_by_role("link", name="P3").click()
    expect(page.get_by_text("viewing this page as the operator")).to_be_visible()
    check_page(page, "/subjects/P3", "operator-subject", shot)
    check_page(page, "/audit", "operator-audit", shot)
    sign_out(page)


def test_bad_key_and_bad_code_are_refused_and_announced(page, served, shot):
    sign_in_with_key(page, "cred_000000000000_wrong")
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    expect(page.get_by_label("API key", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Sign-in code", exact=True).fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Sign in with the code").click()
    expect(page.get_by_role("alert")).to_contain_text("already used or expired")
    check_page(page, "/signin", "signin-empty", shot)
    assert page.request.get("/favicon.ico").status == 200
