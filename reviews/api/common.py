"""What the API's viewsets share: the error answers they document, ids parsed as 404s, and the
desk's answers kept out of caches."""

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound, ValidationError

from factcheck.ids import as_id

ERRORS = {
    code: OpenApiResponse(description=text)
    for code, text in [
        (400, "Bad filter, date or cursor."),
        (401, "Credentials needed or not valid."),
        (403, "These credentials may not do this."),
        (404, "No such published verdict or article."),
        (429, "Too many requests; see Retry-After."),
    ]
}


def parse_id(raw: str) -> int:
    """Return `raw` as an id, or answer 404 as for any id without a published verdict."""
    found = as_id(raw)
    if found is None:
        raise NotFound()
    return found


def refuse_unknown_parameters(request, known) -> None:
    """Answer 400 naming each query parameter outside `known` ("format" always allowed): a
    parameter this endpoint does not read would otherwise be ignored without a word."""
    known = {*known, "format"}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        use = f"Unknown parameter; use one of {', '.join(sorted(known))}."
        raise ValidationError({name: [use] for name in unknown})


class NeverCached:
    """Send the desk's answers (drafts, research) as nobody's to keep: no shared or browser
    cache may store them, whatever a proxy in front does with Vary: Cookie."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response
