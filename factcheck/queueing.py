"""Hand jobs whose rows are already saved to Celery, stopping at the first broker failure."""

import logging

logger = logging.getLogger(__name__)


def delay_each(task, *, key: str, ids: list[int], what: str) -> int:
    """Queue `task(**{key: pk})` for each id; return how many were queued.

    The rows are the record and a sweeper re-sends what is still pending, so a broker outage
    costs nothing but time: stop at the first failure rather than pay the publish retry policy
    once per row while the request waits.
    """
    for sent, pk in enumerate(ids):
        try:
            task.delay(**{key: pk})
        except Exception:
            logger.warning(
                "%d %s not queued now; they stay pending", len(ids) - sent, what, exc_info=True
            )
            return sent
    return len(ids)
