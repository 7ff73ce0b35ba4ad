"""The admin's analytics page: editors' figures as charts and tables, read in constant queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.reviews import analytics_desk

PAGE = reverse("desk_analytics")
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def desk(db):
    return analytics_desk.build()


def cell(html: str, table: str, row: str) -> str:
    """Return the first value cell of the row headed `row` in the table with id `table`."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf"<th scope=\"row\">{re.escape(row)}</th><td>([^<]*)</td>", body)
    assert match, f"no row {row!r} in {table}"
    return match.group(1).strip()


def test_an_editor_sees_the_years_figures_in_tables_beside_three_charts(client, desk):
    client.force_login(desk.editor)
    response = client.get(PAGE, YEAR_2025)
    html = response.content.decode()
    assert response.status_code == 200
    assert cell(html, "claims-table", "Ingested") == "12"
    assert cell(html, "claims-table", "Published (first time)") == "7"
    assert cell(html, "claims-table", "… as opinion") == "2"
    assert cell(html, "claims-table", "Ingest to publication, median") == "40.0 h"
    assert cell(html, "claims-table", "Ingest to publication, 90th percentile") == "76.0 h"
    assert cell(html, "claims-table", "Published after the due date") == "3 of 7 (43%)"
    assert cell(html, "stages-table", "Researching") == "7"
    assert cell(html, "ratings-table", "False") == "4"
    assert cell(html, "throughput-table", "alice") == "4"
    assert cell(html, "weekly-table", "2025-03-03") == "5"
    assert cell(html, "agreement-table", "Krippendorff's alpha (nominal)").startswith("0.5094")
    for chart in ("chart-stages", "chart-weekly", "chart-ratings"):
        assert f'<svg class="chart" id="{chart}"' in html
    # The rating chart draws each bar in the scale's colour.
    assert 'fill="#c0392b"' in html.split('id="chart-ratings"', 1)[1]


def test_the_page_has_no_inline_script_or_style_for_the_csp_to_block(client, desk):
    client.force_login(desk.editor)
    response = client.get(PAGE, YEAR_2025)
    html = response.content.decode()
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_figures_narrow_to_one_fact_checker(client, desk):
    client.force_login(desk.editor)
    html = client.get(PAGE, {**YEAR_2025, "fact_checker": desk.bob.pk}).content.decode()
    assert cell(html, "claims-table", "Published (first time)") == "3"
    assert "alice" not in html.split('id="throughput-table"', 1)[1].split("</table>")[0]


def test_a_period_ending_before_it_starts_is_a_clear_400(client, desk):
    client.force_login(desk.editor)
    response = client.get(PAGE, {"start": "2025-12-31", "end": "2025-01-01"})
    assert response.status_code == 400
    assert "must end on or after the day it starts" in response.content.decode()
    assert client.get(PAGE, {"start": "not a date", "end": "2025-01-01"}).status_code == 400


def test_fact_checkers_cannot_open_it_and_visitors_are_sent_to_log_in(client, desk):
    client.force_login(desk.alice)
    assert client.get(PAGE).status_code == 403
    client.logout()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_index_links_editors_to_it(client, desk):
    client.force_login(desk.editor)
    assert PAGE in client.get(reverse("admin:index")).content.decode()
    client.force_login(desk.alice)
    assert PAGE not in client.get(reverse("admin:index")).content.decode()


def test_the_page_takes_the_same_queries_however_busy_the_desk(client, db):
    admin = UserFactory(username="boss", is_superuser=True)
    client.force_login(admin)
    client.get(PAGE, YEAR_2025)
    with CaptureQueriesContext(connection) as quiet:
        client.get(PAGE, YEAR_2025)
    analytics_desk.build()
    with CaptureQueriesContext(connection) as busy:
        response = client.get(PAGE, YEAR_2025)
    assert response.context["figures"].published == 7
    assert len(busy) == len(quiet)
