"""Decide who may use each endpoint: anonymous readers, key scopes, the desk's roles."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from reviews.models import ClientKey


def client_key(request) -> ClientKey | None:
    """Return the API key the request authenticated with, if any."""
    return request.auth if isinstance(request.auth, ClientKey) else None


def is_desk_staff(user) -> bool:
    """Return whether `user` is a logged-in fact-checker or editor (or a superuser)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("reviews.view_ticket")
    )


class PublicRead(BasePermission):
    """Read published verdicts: anyone while API_PUBLIC_READ is on, else a read key or staff."""

    message = "Reading verdicts needs an API key with the read scope."

    def has_permission(self, request, view) -> bool:
        # No write handler exists behind this permission: a reader's write is answered 405.
        key = client_key(request)
        if key is not None:
            return key.has_scope(ClientKey.Scope.READ) or settings.API_PUBLIC_READ
        return settings.API_PUBLIC_READ or is_desk_staff(request.user)


class CanIngest(BasePermission):
    """Send pieces to the desk: a key with the ingest scope, or a person who may add articles."""

    message = "Ingesting articles needs an API key with the ingest scope."

    def has_permission(self, request, view) -> bool:
        key = client_key(request)
        if key is not None:
            return key.has_scope(ClientKey.Scope.INGEST)
        return is_desk_staff(request.user) and request.user.has_perm("claims.add_article")


class DeskStaff(BasePermission):
    """Use the desk's tooling: fact-checkers and editors logged in; API keys never."""

    message = "Only the desk's fact-checkers and editors, logged in, may use this endpoint."

    def has_permission(self, request, view) -> bool:
        return client_key(request) is None and is_desk_staff(request.user)


class CanCite(DeskStaff):
    """Cite more reporting for a claim: fact-checkers and editors."""

    message = "Only fact-checkers and editors may add sources to claims."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.has_perm(
            "claims.add_citation"
        )
