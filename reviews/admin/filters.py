"""Filter the ticket list the way a desk works: its own queue, overdue work, rating."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.selectors import rating_scale
from reviews.workflow import WORK_STAGES


class WorkFilter(admin.SimpleListFilter):
    title = _("work")
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("My queue")),
            ("overdue", _("Overdue")),
            ("unassigned", _("Unassigned")),
        ]

    def queryset(self, request, queryset):
        owed = Q(stage__in=WORK_STAGES)
        if self.value() == "mine":
            return queryset.filter(owed, assignee=request.user)
        if self.value() == "overdue":
            return queryset.filter(owed, due_at__lt=timezone.now())
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset


class RatingFilter(admin.SimpleListFilter):
    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [("none", _("No verdict yet")), *rating_scale().values_list("slug", "label")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(verdict__current_revision__isnull=True)
        if self.value():
            return queryset.filter(verdict__current_revision__rating__slug=self.value())
        return queryset
