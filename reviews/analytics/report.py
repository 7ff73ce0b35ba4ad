"""Turn the figures into the numbers people read: the page, the CSV and the JSON share them."""

from django.utils import timezone

from reviews.analytics.figures import Figures
from reviews.analytics.stats import Spread
from reviews.workflow import DismissReason

# Durations are stated in hours, shares as fractions, each rounded the same way everywhere.
HOURS_DIGITS = 1
SHARE_DIGITS = 4


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, HOURS_DIGITS)


def fraction(value: float | None) -> float | None:
    return None if value is None else round(value, SHARE_DIGITS)


def _spread(spread: Spread) -> dict:
    return {
        "claims": spread.count,
        "median_hours": hours(spread.median),
        "p90_hours": hours(spread.p90),
    }


def figures_dict(figures: Figures) -> dict:
    """Return the figures as plain data: what the page shows and the export writes."""
    scope = figures.scope
    agreement = figures.agreement
    return {
        "period": {
            "start": timezone.localtime(scope.start).isoformat(),
            "end": timezone.localtime(scope.end).isoformat(),
            "publication": scope.publication or None,
            "claimant": scope.claimant or None,
            "fact_checker": scope.fact_checker,
        },
        "claims": {
            "ingested": figures.ingested,
            "checkworthy": figures.checkworthy,
            "queued": figures.queued,
            "dismissed": figures.dismissed_total,
            "published": figures.published,
        },
        "dismissed_by_reason": {
            reason.value: figures.dismissed.get(reason.value, 0) for reason in DismissReason
        },
        "ingest_to_publication": _spread(figures.ingest_to_publication),
        "time_in_stage": {item.stage.value: _spread(item.spread) for item in figures.stages},
        "overdue": {
            "with_due_date": figures.with_due_date,
            "published_late": figures.published_late,
            "rate": fraction(figures.overdue_rate),
        },
        "corrections": {
            "published": figures.corrections,
            "share_of_publications": fraction(figures.correction_share),
        },
        "retractions": {
            "count": figures.retractions,
            "share_of_publications": fraction(figures.retraction_share),
        },
        "throughput_per_fact_checker": dict(figures.throughput),
        "weekly_publications": {week.isoformat(): count for week, count in figures.weekly},
        "ratings": {item.rating.slug: item.count for item in figures.ratings},
        "panel_agreement": {
            "rated_votes": agreement.votes,
            "differing_from_published": agreement.differing,
            "share_differing": fraction(agreement.share_differing),
            "krippendorff_alpha": fraction(agreement.alpha.value),
            "alpha_revisions": agreement.alpha.units,
            "alpha_note": agreement.alpha.reason,
        },
    }


def figures_rows(data: dict) -> list[tuple[str, str, object]]:
    """Return `figures_dict` flattened to (section, item, value) rows for a spreadsheet."""
    rows = []
    for section, values in data.items():
        if section == "period":
            continue
        if isinstance(values, dict):
            for item, value in values.items():
                if isinstance(value, dict):
                    rows += [(section, f"{item} {key}", v) for key, v in value.items()]
                else:
                    rows.append((section, item, value))
        else:
            rows.append((section, "", values))
    return rows
