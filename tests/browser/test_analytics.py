"""The desk's analytics in a real browser: the charts render under the CSP, no console errors."""

import pytest
from django.contrib.auth import get_user_model

from tests.reviews import analytics_desk

pytestmark = pytest.mark.browser


def test_an_editor_opens_the_analytics_page_and_its_charts_render(
    browser_db, chromium, live_server, screenshots
):
    analytics_desk.build()
    boss = get_user_model().objects.create_user(
        "boss", password="analytics-pw", is_staff=True, is_superuser=True
    )
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error" and errors.append(f"{message.text} {message.location}")
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(boss.username)
    page.get_by_label("Password").fill("analytics-pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")
    page.get_by_role("link", name="Desk analytics").click()
    page.wait_for_load_state("load")
    # What the admin's own pages logged (their missing /favicon.ico) is not this page's concern.
    errors.clear()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_label("To (inclusive)").fill("2025-12-31")
    with page.expect_response(lambda r: "/admin/desk/analytics/?" in r.url) as answer:
        page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#chart-ratings")
    shot = screenshots(page, "analytics")

    csp = answer.value.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    for chart in ("#chart-stages", "#chart-weekly", "#chart-ratings"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50, chart
    # Every bar is drawn: one rect per rating, coloured from the scale.
    assert page.locator("#chart-ratings rect").count() == 7
    assert page.locator("#chart-weekly rect").count() == 53
    assert "76.0 h" in page.locator("#claims-table").inner_text()
    # The page's own stylesheet applied (a CSP refusal would leave the SVG at its intrinsic size).
    width = page.locator(".analytics-figure svg").first.evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert width <= 720
    assert errors == [], "\n".join(errors)
    assert shot.stat().st_size > 10_000
