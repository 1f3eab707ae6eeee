"""Counting admin lists on tables of a million rows without counting a million rows, and local-day ranges that
indexes can serve.

`EstimatedCountPaginator` (set `paginator = EstimatedCountPaginator` and `show_full_result_count = False` on an
admin of a big table): an unfiltered list takes PostgreSQL's own estimate of the table's rows (`pg_class.reltuples`,
kept by autovacuum/ANALYZE), a filtered list is counted exactly up to COUNT_EXACT_UP_TO rows and estimated by the
planner above that. The page still shows "N results" and page links; beyond the exact range N is approximate, and
the admin's pagination and search box say so ("about N", templates/admin/pagination.html and search_form.html,
from `count_is_estimate`). A search counts exactly only up to SEARCH_COUNT_EXACT_UP_TO matches
(`admin_mixins.SearchAdminMixin`): its rows are found through a trigram index whose every match must be read from
the table to be confirmed, so counting 7,500 namesakes read 7,500 rows on each page.
"""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

COUNT_EXACT_UP_TO = 10_000
SEARCH_COUNT_EXACT_UP_TO = 1_000


def local_day_range(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local (Vietnam) day as aware datetimes: filter `field__gte=start, field__lt=end`, which an
    index on the column serves, instead of `field__date=day` (a function of the column, so a scan)."""
    start = timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
    return start, timezone.make_aware(
        datetime.combine(day + timedelta(days=1), time.min), timezone.get_current_timezone()
    )


def _table_estimate(queryset: QuerySet) -> int | None:
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


def _planner_estimate(queryset: QuerySet) -> int | None:
    connection = connections[queryset.db]
    # Only the rows' ids: the list's select_related joins change nothing in the estimate and cost planning time.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def counts_capped(querysets: list[QuerySet], *, cap: int | None = None) -> list[tuple[int, bool]]:
    """How many rows each queryset has, as (count, exact): exact up to `cap`, PostgreSQL's planner estimate above
    it (never below cap + 1), so no count reads more than cap + 1 rows. On PostgreSQL the capped counts are one
    query for all the querysets (plus one EXPLAIN per queryset over the cap); elsewhere each is counted exactly."""
    if not querysets:
        return []
    cap = COUNT_EXACT_UP_TO if cap is None else cap
    db = querysets[0].db
    if connections[db].vendor != "postgresql":
        return [(queryset.count(), True) for queryset in querysets]
    parts, params = [], []
    for queryset in querysets:
        if queryset.query.is_empty():
            # `.none()` (e.g. an officer with no unit) compiles to no SQL at all (EmptyResultSet): it counts 0.
            parts.append("0")
            continue
        sql, sub_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 (SQL compiled by the ORM, values as params)
        params.extend(sub_params)
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        capped = cursor.fetchone()
    return [
        (int(n), True) if n <= cap else (max(cap + 1, _planner_estimate(queryset) or 0), False)
        for n, queryset in zip(capped, querysets, strict=True)
    ]


class EstimatedCountPaginator(Paginator):
    # Counted exactly up to this many rows (None: COUNT_EXACT_UP_TO); set lower on a page of search results.
    exact_up_to: int | None = None
    # Whether `count` is PostgreSQL's estimate rather than a count (read after `count`).
    count_is_estimate = False
    # A page's rows read in two queries: first the page's ids alone (in the list's order, sliced), then those rows
    # with their joins. Set on a page of search results (`admin_mixins.SearchAdminMixin`): the ids' query asks for
    # columns an index holds beside the list's order (`appointments_start_name`, `filing_recent_name`), so
    # PostgreSQL can walk that index checking the name in it and stop when the page is full, reading only the
    # page's rows from the table; in one query it read every row it walked past, or every namesake to sort them.
    ids_first = False

    def page(self, number):
        queryset = self.object_list
        if not (self.ids_first and isinstance(queryset, QuerySet) and queryset.ordered and not queryset.query.distinct):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        return self._get_page(queryset.filter(pk__in=ids), number, self)

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        cap = COUNT_EXACT_UP_TO if self.exact_up_to is None else self.exact_up_to
        query = queryset.query
        if not query.where and not query.distinct and not query.combinator:
            estimate = _table_estimate(queryset)
            if estimate is not None and estimate > cap:
                self.count_is_estimate = True
                return estimate
        capped = queryset.order_by()[: cap + 1].count()
        if capped <= cap:
            return capped
        self.count_is_estimate = True
        return max(cap + 1, _planner_estimate(queryset) or 0)
