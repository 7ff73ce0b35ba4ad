"""Filter the ticket list the way a desk works: its own queue, overdue work, rating."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from factcheck.ids import as_id
from reviews import workflow
from reviews.selectors import rating_scale, users_with_permission
from reviews.workflow import WORK_STAGES


class AssigneeFilter(admin.RelatedFieldListFilter):
    """Filter by assignee: offer the active people who may take work (and the chosen one).

    Offering everyone the list names would read the whole ticket table on every page view.
    """

    def field_choices(self, field, request, model_admin):
        chosen = [found for value in self.lookup_val or [] if (found := as_id(value)) is not None]
        may_take = users_with_permission(workflow.DRAFT).values("pk")
        people = field.related_model.objects.filter(Q(pk__in=may_take) | Q(pk__in=chosen))
        return [
            (person.pk, person.get_full_name() or person.get_username())
            for person in people.order_by("username", "id")
        ]


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
