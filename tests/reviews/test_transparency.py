"""The yearly transparency report: the screen's numbers, reconciled with the audit trail's CSV."""

import csv
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reviews.models import Event
from tests.reviews import analytics_desk

PAGE = reverse("desk_analytics")
CSV_URL = reverse("desk_transparency_csv")
JSON_URL = reverse("desk_transparency_json")


@pytest.fixture
def desk(db):
    return analytics_desk.build()


def command(*args) -> str:
    out = io.StringIO()
    call_command("transparency_report", *args, stdout=out)
    return out.getvalue()


def audit_csv(client) -> list[dict]:
    """Export every event through the audit trail's admin action, as an editor would."""
    response = client.post(
        reverse("admin:reviews_event_changelist"),
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": list(Event.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_report_has_the_same_figures_as_the_analytics_page(client, desk):
    report = json.loads(command("--year", "2025", "--format", "json"))
    client.force_login(desk.editor)
    screen = client.get(PAGE, {"start": "2025-01-01", "end": "2025-12-31"}).context["data"]
    assert report["figures"] == screen
    assert report["figures"]["claims"]["published"] == 7
    assert report["approvals_required"] == 1


def test_the_report_reconciles_with_the_audit_csv(client, desk):
    report = json.loads(command("--year", "2025", "--format", "json"))
    client.force_login(desk.editor)
    rows = [row for row in audit_csv(client) if row["at"].startswith("2025-")]
    trail = [(row, json.loads(row["details"] or "{}")) for row in rows]
    first = [d for row, d in trail if row["action"] == "published" and d["correction"] is None]
    corrected = [(row, d) for row, d in trail if row["action"] == "published" and d["correction"]]
    retracted = [row for row in rows if row["action"] == "retracted"]
    figures = report["figures"]
    assert figures["claims"]["published"] == len(first) == 7
    assert figures["ratings"] == {
        slug: Counter(d["rating"] for d in first).get(slug, 0) for slug in figures["ratings"]
    }
    assert figures["claims"]["queued"] == sum(1 for row in rows if row["action"] == "queued")
    assert figures["dismissed_by_reason"] == {
        reason: sum(1 for row, d in trail if row["action"] == "dismissed" and d["reason"] == reason)
        for reason in figures["dismissed_by_reason"]
    }
    changes = report["corrections_and_retractions"]
    assert [(c["kind"], c["public_note"], c["event"]) for c in changes] == sorted(
        [("correction", row["note"], int(row["event"])) for row, _d in corrected]
        + [("retraction", row["note"], int(row["event"])) for row in retracted],
        key=lambda change: change[2],
    )
    assert figures["corrections"]["published"] == len(corrected) == 1
    assert figures["retractions"]["count"] == len(retracted) == 1
    assert changes[0]["public_note"] == "We corrected the figure: 2.3 million, not 2.1 million."
    assert changes[0]["date"].startswith("2025-04-02")


def test_the_csv_has_one_row_per_figure_and_per_public_change(desk):
    rows = list(csv.reader(io.StringIO(command("--year", "2025"))))
    assert rows[0] == ["section", "item", "value", "date", "verdict", "public note"]
    assert ["claims", "published", "7", "", "", ""] in rows
    assert ["ingest_to_publication", "median_hours", "40.0", "", "", ""] in rows
    assert ["dismissed_by_reason", "opinion", "2", "", "", ""] in rows
    kinds = [row[0] for row in rows if row[0] in ("correction", "retraction")]
    assert kinds == ["correction", "retraction"]
    retraction = next(row for row in rows if row[0] == "retraction")
    assert retraction[5] == "The accounts were forged."
    assert retraction[4].endswith(f"/verdicts/{desk.tickets[1].verdict.pk}/")


def test_the_command_writes_a_file_and_refuses_a_bad_year(desk, tmp_path):
    target = tmp_path / "report.json"
    call_command("transparency_report", "--year", "2025", "--format", "json", "-o", str(target))
    assert json.loads(target.read_text())["year"] == 2025
    with pytest.raises(CommandError, match="four-digit year"):
        call_command("transparency_report", "--year", "25")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("transparency_report", "-o", str(tmp_path / "missing" / "x.csv"))


def test_the_admin_buttons_download_the_same_report(client, desk):
    client.force_login(desk.editor)
    assert f'href="{CSV_URL}?year=' in client.get(PAGE).content.decode()
    as_csv = client.get(CSV_URL, {"year": "2025"})
    assert as_csv.status_code == 200
    assert as_csv["Content-Disposition"] == 'attachment; filename="transparency-2025.csv"'
    assert as_csv.content.decode() == command("--year", "2025")
    as_json = client.get(JSON_URL, {"year": "2025"})
    assert json.loads(as_json.content) == json.loads(command("--year", "2025", "--format", "json"))


def test_only_editors_download_it_and_a_bad_year_is_a_400(client, desk):
    client.force_login(desk.alice)
    assert client.get(CSV_URL, {"year": "2025"}).status_code == 403
    client.force_login(desk.editor)
    response = client.get(CSV_URL, {"year": "twenty"})
    assert response.status_code == 400 and b"Give the year as" in response.content
