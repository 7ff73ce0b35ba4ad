"""Build the year's transparency report: the figures, and every correction and retraction."""

import csv
import io

from django.db.models import Q
from django.utils import timezone

from reviews.analytics.figures import desk_figures, with_correction_flag, year_scope
from reviews.analytics.report import figures_dict, figures_rows
from reviews.models import Event
from reviews.rules import approvals_required
from reviews.selectors import verdict_public_url
from reviews.spreadsheet import spreadsheet_cell

CSV_HEADER = ["section", "item", "value", "date", "verdict", "public note"]


def public_changes(scope) -> list[dict]:
    """Return the corrections published and the retractions made in `scope`, oldest first.

    Read from the audit trail (the same events the figures count): a correction's note and a
    retraction's reason are the public text recorded with the event.
    """
    events = (
        with_correction_flag(Event.objects.filter(scope.during(), scope.tickets("ticket__")))
        .filter(Q(action="retract") | Q(action="publish", is_correction=True))
        .order_by("created_at", "id")
        .values("id", "action", "created_at", "note", "ticket__verdict__id", "ticket__claim__text")
    )
    return [
        {
            "kind": "retraction" if row["action"] == "retract" else "correction",
            "event": row["id"],
            "date": timezone.localtime(row["created_at"]).isoformat(),
            "verdict": verdict_public_url(row["ticket__verdict__id"]),
            "claim": row["ticket__claim__text"],
            "public_note": row["note"],
        }
        for row in events
    ]


def transparency_report(year: int) -> dict:
    """Return the year's figures (as the analytics page shows them) and its public changes."""
    scope = year_scope(year)
    return {
        "year": year,
        "approvals_required": approvals_required(),
        "figures": figures_dict(desk_figures(scope)),
        "corrections_and_retractions": public_changes(scope),
    }


def transparency_csv(report: dict) -> str:
    """Return the report as one CSV: the figures, then one row per correction or retraction."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerow(["period", "year", report["year"], "", "", ""])
    writer.writerow(["process", "approvals required", report["approvals_required"], "", "", ""])
    for section, item, value in figures_rows(report["figures"]):
        writer.writerow([section, item, "" if value is None else value, "", "", ""])
    for change in report["corrections_and_retractions"]:
        writer.writerow(
            [
                change["kind"],
                spreadsheet_cell(change["claim"]),
                change["event"],
                change["date"],
                change["verdict"],
                spreadsheet_cell(change["public_note"]),
            ]
        )
    return out.getvalue()
