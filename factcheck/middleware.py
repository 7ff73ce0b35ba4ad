"""Answer 503 with Retry-After, not a 500, while the database cannot be reached."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The desk's database is unavailable for a moment; try again shortly."


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a quick, clean 503 that clients retry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A refused or dropped connection; a constraint or a bad query is a bug and stays a 500.
        # Django drops the broken connection when the request ends, so the next one reconnects.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"error": {"status": 503, "code": "unavailable", "message": MESSAGE}}, status=503
            )
        else:
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
