"""The desk's analytics page in the admin, for editors and administrators, and its export."""

import math
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Article
from reviews import workflow
from reviews.analytics import Scope, desk_figures
from reviews.analytics.charts import Bar, columns, horizontal_bars
from reviews.analytics.report import figures_dict
from reviews.analytics.transparency import transparency_csv, transparency_report
from reviews.selectors import users_with_permission
from reviews.workflow import DismissReason, Stage

# Editors hold it, and administrators (superusers) hold every permission.
ANALYTICS_PERMISSION = workflow.PUBLISH


class AnalyticsForm(forms.Form):
    """The period and the narrowing the page shows; read from the query string."""

    start = forms.DateField(label=_("From"), widget=AdminDateWidget)
    end = forms.DateField(label=_("To (inclusive)"), widget=AdminDateWidget)
    publication = forms.ChoiceField(label=_("Publication"), required=False)
    claimant = forms.ChoiceField(label=_("Claimant"), required=False)
    fact_checker = forms.ModelChoiceField(
        queryset=None, label=_("Fact-checker"), required=False, empty_label=_("everyone")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        articles = Article.objects.order_by()
        self.fields["publication"].choices = [("", _("all"))] + [
            (p, p) for p in articles.values_list("publication", flat=True).distinct() if p
        ]
        self.fields["claimant"].choices = [("", _("all"))] + [
            (a, a) for a in articles.values_list("author", flat=True).distinct() if a
        ]
        self.fields["fact_checker"].queryset = users_with_permission(workflow.DRAFT)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period must end on or after the day it starts."))
        return cleaned

    def scope(self) -> Scope:
        data = self.cleaned_data
        checker = data["fact_checker"]
        return Scope(
            start=timezone.make_aware(datetime.combine(data["start"], time.min)),
            end=timezone.make_aware(datetime.combine(data["end"] + timedelta(days=1), time.min)),
            publication=data["publication"],
            claimant=data["claimant"],
            fact_checker=checker.pk if checker else None,
        )


def _default_period() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(month=1, day=1), "end": today}


def charts(figures, data: dict) -> dict:
    """Return the page's three charts, drawn from the same numbers as its tables."""
    stages = [
        Bar(
            label=Stage(stage).label,
            value=values["median_hours"] or 0,
            text=f"{values['median_hours']} h · p90 {values['p90_hours']} h",
            behind=values["p90_hours"] or 0,
            behind_text=f"90th percentile {values['p90_hours']} h",
        )
        for stage, values in data["time_in_stage"].items()
    ]
    weekly = [
        Bar(
            label=date.fromisoformat(week).strftime("%d %b").lstrip("0"),
            value=count,
            text=str(count),
        )
        for week, count in data["weekly_publications"].items()
    ]
    ratings = [
        Bar(
            label=item.rating.label,
            value=item.count,
            text=str(item.count),
            colour=item.rating.colour,
        )
        for item in figures.ratings
    ]
    return {
        "stages": horizontal_bars(
            chart_id="chart-stages",
            title="Hours in each stage before publication: median, and 90th percentile behind it",
            bars=stages,
        ),
        "weekly": columns(
            chart_id="chart-weekly",
            title="Verdicts first published each week",
            bars=weekly,
            every=max(1, math.ceil(len(weekly) / 9)),
        ),
        "ratings": horizontal_bars(
            chart_id="chart-ratings", title="Verdicts published by rating", bars=ratings
        ),
    }


def _require(request) -> None:
    if not request.user.has_perm(ANALYTICS_PERMISSION):
        raise PermissionDenied("Only editors and administrators see the desk's analytics.")


def analytics_view(request):
    """Show the figures for the chosen period and narrowing, each chart with its table."""
    _require(request)
    form = AnalyticsForm(request.GET or _default_period())
    context = {
        **admin.site.each_context(request),
        "title": "Desk analytics",
        "form": form,
        # The date widgets' script needs the admin's core.js, which ModelAdmin pages bring.
        "media": forms.Media(js=["admin/js/core.js"]) + form.media,
        "year": timezone.localdate().year,
    }
    if not form.is_valid():
        return TemplateResponse(request, "admin/reviews/analytics.html", context, status=400)
    figures = desk_figures(form.scope())
    data = figures_dict(figures)
    context.update(
        {
            "figures": figures,
            "data": data,
            "charts": charts(figures, data),
            "dismissed_rows": [
                (reason.label, data["dismissed_by_reason"][reason.value])
                for reason in DismissReason
            ],
            "stage_rows": [
                (Stage(stage).label, values) for stage, values in data["time_in_stage"].items()
            ],
        }
    )
    return TemplateResponse(request, "admin/reviews/analytics.html", context)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = 0
    if not 2000 <= year <= 9999:
        raise ValueError
    return year


def transparency_view(request, fmt: str):
    """Download the year's transparency report as CSV or JSON."""
    _require(request)
    try:
        year = _year(request)
    except ValueError:
        return HttpResponse("Give the year as ?year=2026.", status=400, content_type="text/plain")
    report = transparency_report(year)
    filename = f"transparency-{year}.{fmt}"
    if fmt == "json":
        response = JsonResponse(report, json_dumps_params={"ensure_ascii": False, "indent": 2})
    else:
        response = HttpResponse(transparency_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("", admin.site.admin_view(analytics_view), name="desk_analytics"),
    path(
        "transparency.csv",
        admin.site.admin_view(transparency_view),
        {"fmt": "csv"},
        name="desk_transparency_csv",
    ),
    path(
        "transparency.json",
        admin.site.admin_view(transparency_view),
        {"fmt": "json"},
        name="desk_transparency_json",
    ),
]
