"""Request plumbing: ASCII-only ids, a checked request id, and a 503 while the database is down."""

import logging
import re

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse

from reviews.api.errors import error_response

logger = logging.getLogger(__name__)

# A client's request id is kept when it is a short token (a UUID, nginx's $request_id, a CMS's
# own id); anything else is replaced by a generated one so logs never carry a client's junk.
REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")

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
            response = error_response(status=503, code="unavailable", message=MESSAGE)
        else:
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class AsciiDigitsOnlyMiddleware:
    """Answer 404 for an address holding a non-ASCII digit (superscripts, Arabic-Indic, ...).

    Ids in addresses are ASCII digits. Python's int() reads "١" as 1, so without this the admin
    would serve object 1 at a second address, and a superscript "²" (a digit to str.isdigit but
    not to int) would be a 500. One check covers the API, the desk and the readers' pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.isascii() and any(
            char.isdigit() and not char.isascii() for char in request.path
        ):
            raise Http404("No page has this address.")
        return self.get_response(request)


class RequestIdCheckMiddleware:
    """Drop an X-Request-ID that is not a short token, before django-guid reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(REQUEST_ID_HEADER)
        if given is not None and not REQUEST_ID.fullmatch(given):
            del request.META[REQUEST_ID_HEADER]
            logger.info("ignored an X-Request-ID that is not a short token (%d chars)", len(given))
        return self.get_response(request)
