"""Fetch waiting sources in this process, with a progress bar, for operators."""

import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from claims.models import Claim, Source
from claims.services import (
    HostBusy,
    TransientFetchError,
    source_fetch_in_turn,
    sources_retry_failed,
)


class Command(BaseCommand):
    help = (
        "Fetch the sources that are waiting (pending, or held by a worker that died), here and "
        "now, and print how many ended in each state. Transient failures stay pending for the "
        "sweeper or the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claim", type=int, help="Only the sources this claim cites.")
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Also retry failed sources, from their first attempt.",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=8,
            help="Fetches waiting on the network at once (default 8).",
        )

    def handle(self, *args, claim=None, retry_failed=False, concurrency=8, **options):
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        if connection.vendor == "sqlite":
            # SQLite takes one writer at a time; threads would only trip over its table locks.
            concurrency = 1
        sources = Source.objects.all()
        if claim is not None:
            if not Claim.objects.filter(pk=claim).exists():
                raise CommandError(f"There is no claim #{claim}.")
            sources = sources.filter(citations__claim_id=claim)
        scope = list(sources.order_by("id").values_list("id", flat=True).distinct())
        if retry_failed:
            sources_retry_failed(source_ids=scope, schedule=False)
        waiting = list(
            Source.objects.filter(pk__in=scope)
            .filter(
                Q(state=Source.State.PENDING)
                | Q(state=Source.State.FETCHING, lease_expires_at__lte=timezone.now())
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        retrying = 0
        with (
            ThreadPoolExecutor(max_workers=concurrency) as pool,
            tqdm(
                total=len(waiting),
                unit="source",
                file=sys.stderr,
                disable=options["verbosity"] == 0 or not waiting,
            ) as progress,
        ):
            futures = [pool.submit(_fetch_one, source_id) for source_id in waiting]
            for future in as_completed(futures):
                retrying += future.result()
                progress.update(1)
        counts = Counter(
            Source.objects.filter(pk__in=scope).values_list("state", flat=True).iterator()
        )
        summary = ", ".join(f"{counts[state]} {state}" for state in Source.State if counts[state])
        self.stdout.write(
            f"Fetched {len(waiting)} waiting source(s) of {len(scope)}: {summary or 'none'}."
        )
        if retrying:
            self.stdout.write(f"{retrying} will be retried later (transient failures).")


def _fetch_one(source_id: int) -> int:
    """Fetch one source in a pool thread; return 1 if it failed transiently."""
    try:
        source_fetch_in_turn(source_id=source_id)
        return 0
    except (TransientFetchError, HostBusy):
        return 1
    finally:
        # Each pool thread opened its own connection.
        connections.close_all()
