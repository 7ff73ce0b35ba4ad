"""Report whether the database and the broker answer, for load balancers and operators."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A probe must answer quickly even when a dependency hangs; the load balancer has its own timeout.
BROKER_TIMEOUT_SECONDS = 1.5


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    from factcheck.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
            return True
    except Exception:
        return False


def broker_configured() -> bool:
    """Return whether tasks go through a real broker rather than running in-process."""
    return not settings.CELERY_TASK_ALWAYS_EAGER


@never_cache
@require_GET
def healthz(request):
    """Return 200 when every configured dependency answers, 503 naming the ones that do not."""
    checks = {"database": "ok" if _database_ok() else "down"}
    if broker_configured():
        checks["broker"] = "ok" if _broker_ok() else "down"
    else:
        checks["broker"] = "in-process"
    healthy = "down" not in checks.values()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
