"""Answer every API error as the same JSON shape, with a message a person can act on."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from claims.errors import ClaimsError
from reviews.errors import ReviewError

NOT_FOUND = "Not found: no published verdict, article or claim has this id."
NO_SUCH_ROUTE = "Not found: no API endpoint has this address; see /api/schema/."
SERVER_ERROR = "The desk could not answer this request; it has been logged. Try again later."


def error_response(*, status: int, code: str, message: str) -> JsonResponse:
    """Return the API's error shape outside DRF (routing, 500s, middleware)."""
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message}}, status=status
    )


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """Answer an unknown address: the API's JSON error under /api/, the 404 page elsewhere."""
    if _is_api(request):
        return error_response(status=404, code="not_found", message=NO_SUCH_ROUTE)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Answer an unexpected error: the API's JSON error under /api/, the 500 page elsewhere."""
    if _is_api(request):
        return error_response(status=500, code="server_error", message=SERVER_ERROR)
    return defaults.server_error(request)


class DeskRefused(exceptions.APIException):
    """A domain error from the services, carried with the status its class declares."""

    def __init__(self, message: str, *, status_code: int, code: str):
        self.status_code = status_code
        super().__init__(detail=message, code=code)


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, ReviewError):
        code = {403: "not_allowed", 409: "conflict"}.get(exc.http_status, "refused")
        return DeskRefused(exc.message, status_code=exc.http_status, code=code)
    if isinstance(exc, ClaimsError):
        return DeskRefused(str(exc), status_code=status.HTTP_400_BAD_REQUEST, code="refused")
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return DeskRefused(
            f"The request body is larger than this desk accepts: at most {limit:,} bytes. "
            "Send a shorter piece, or split it.",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            code="too_large",
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        # The same words whether the id is unknown or names a draft: nothing leaks.
        return exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    """Return `{"error": {"status", "code", "message", "fields"?}}` for every API error."""
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # An unexpected error: Django's 500 handling and logging take it.
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    error = {
        "status": response.status_code,
        "code": _code(exc, detail),
        "message": _first_message(detail),
    }
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        error["fields"] = detail
        if len(detail) > 1:
            error["message"] = f"{len(detail)} parameters are not valid. {error['message']}"
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        error["retry_after"] = int(exc.wait + 0.999)
    response.data = {"error": error}
    return response


def _code(exc, detail) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
