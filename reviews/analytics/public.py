"""The public methodology page's reads: the year's published counts, only what readers can see."""

from dataclasses import dataclass

from django.db.models import Count, Q

from reviews.analytics.figures import year_scope
from reviews.models import Correction, Rating
from reviews.selectors import rating_scale, verdicts_published


@dataclass(frozen=True)
class PublicYear:
    """What the desk published in one year, as readers can count it on the site."""

    year: int
    published: int
    by_rating: list[tuple[Rating, int]]
    corrections: int
    retractions: int


def public_year(year: int, *, now=None) -> PublicYear:
    """Return the year's public counts: first publications by current rating, corrections made
    public and retractions, all read through `verdicts_published()` so no draft is counted."""
    scope = year_scope(year)
    public = verdicts_published(now=now).order_by()
    in_year = Q(published_at__gte=scope.start, published_at__lt=scope.end)
    totals = public.aggregate(
        published=Count("id", filter=in_year),
        retractions=Count(
            "id", filter=Q(retracted_at__gte=scope.start, retracted_at__lt=scope.end)
        ),
    )
    per_rating = dict(
        public.filter(in_year)
        .values_list("published_revision__rating_id")
        .annotate(n=Count("id"))
        .values_list("published_revision__rating_id", "n")
    )
    corrections = Correction.objects.filter(in_year, verdict__in=public.values("pk")).count()
    return PublicYear(
        year=year,
        published=totals["published"],
        by_rating=[(rating, per_rating.get(rating.pk, 0)) for rating in rating_scale()],
        corrections=corrections,
        retractions=totals["retractions"],
    )
