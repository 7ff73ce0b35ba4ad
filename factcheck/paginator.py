"""Page the admin's long lists without counting every row on every page view."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from factcheck.ids import MAX_ID, as_id


class EstimatedCountPaginator(Paginator):
    """Count a large list only as far as a person needs: an estimate, or "1000+".

    A COUNT(*) reads every row a list holds (the whole table, or every match of a broad
    search) on every page view: at a million tickets that is most of a changelist's time.

    - An unfiltered list over a PostgreSQL table of more than `estimate_above` rows takes its
      count from the planner's estimate (pg_class.reltuples, kept by autovacuum's ANALYZE),
      shown as "≈ 1,000,000".
    - A filtered or searched list (and any list on another database) is counted up to
      `count_cap` rows, or one page beyond the page asked for if that is further: shown as
      "1000+" when there are more, so a list of 12 says 12 and a list of 125,000 stops early.
      The page links reach one page past the one shown, so every page can still be walked to.

    `page_asked` is the page the request asks for (the admin's `get_paginator` sets it).
    """

    # Above this many rows (the planner's estimate) an unfiltered list shows the estimate.
    estimate_above = 10_000
    # A filtered list is counted up to this many rows (more shows as "1000+").
    count_cap = 1000

    def __init__(self, *args, page_asked: int = 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_asked = max(int(page_asked), 1)
        self.estimated = False
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        connection = connections[rows.db]
        if _unfiltered(rows) and connection.vendor == "postgresql":
            return self._estimate(rows, connection)
        return self._count_up_to(rows)

    @property
    def count_shown(self) -> str:
        """Return the count as a list shows it: "≈ 1,000,000", "1,000+" or "12"."""
        count = self.count
        shown = number_format(count, force_grouping=True)
        if self.estimated:
            return f"≈ {shown}"
        if self.capped:
            return f"{number_format(count - 1, force_grouping=True)}+"
        return shown

    def _count_up_to(self, rows: QuerySet) -> int:
        """Count `rows`, stopping one row past the cap: more than the cap shows as "cap+"."""
        cap = max(self.count_cap, (self.page_asked + 1) * self.per_page)
        counted = rows.order_by()[: cap + 1].count()
        self.capped = counted > cap
        return counted

    def _estimate(self, rows: QuerySet, connection) -> int:
        table = connection.ops.quote_name(rows.model._meta.db_table)
        # One query either way: PostgreSQL runs the CASE's sub-select (an init plan) only when
        # the estimate is small or missing (-1 before the first ANALYZE). The table name is the
        # model's, quoted.
        sql = (
            "SELECT CASE WHEN c.reltuples > %s THEN c.reltuples::bigint"  # noqa: S608
            f" ELSE (SELECT COUNT(*) FROM {table}) END, c.reltuples > %s"
            " FROM pg_class c WHERE c.oid = %s::regclass"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.estimate_above, self.estimate_above, table])
            estimate, self.estimated = cursor.fetchone()
        return int(estimate)


class CheckedSelectionAdmin:
    """Refuse a list action posted with a selection that holds something other than ids.

    The admin reads the ticked rows with `pk__in`: a forged "²" fails int() and an id past the
    bigint range cannot be bound by SQLite, both as a 500. The list's own checkboxes only ever
    send ids, so such a post is answered like an empty selection: a message, nothing done.
    """

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(as_id(value) is None for value in selected):
            self.message_user(
                request,
                _("The selection holds something that is not a row of this list: tick them again."),
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class LargeListAdmin(CheckedSelectionAdmin):
    """Page a ModelAdmin's list with EstimatedCountPaginator, told which page is asked for."""

    paginator = EstimatedCountPaginator
    # No second COUNT for the "N total" beside the search box.
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        from django.contrib.admin.views.main import PAGE_VAR

        page = as_id(request.GET.get(PAGE_VAR, 1)) or 1
        # The count reads up to one page past the page asked for: keep that LIMIT a bigint, so
        # a page far past the last answers as any page past the last does, not with a 500.
        page = min(page, MAX_ID // per_page - 2)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page_asked=page)


def _unfiltered(rows: QuerySet) -> bool:
    """Return True if `rows` is every row of its table (joins to required rows aside)."""
    query = rows.query
    return not (
        query.where
        or query.distinct
        or query.combinator
        or query.low_mark
        or query.high_mark is not None
        or query.group_by
    )
