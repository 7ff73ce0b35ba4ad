"""Authenticate machine clients by API key; staff in a browser use the session instead."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_api_key.permissions import KeyParser

from reviews.models import ClientKey

KEYWORD = "Api-Key"


class ClientKeyAuthentication(BaseAuthentication):
    """Accept `Authorization: Api-Key <key>`: the request acts as nobody, with the key's scopes.

    `request.user` stays anonymous, so a key never reaches anything a person's role guards;
    `request.auth` is the ClientKey, whose scopes the permissions read.
    """

    parser = KeyParser()

    def authenticate(self, request):
        raw = self.parser.get(request)
        if raw is None:
            return None
        try:
            key = ClientKey.objects.get_from_key(raw.strip())
        except ClientKey.DoesNotExist:
            raise AuthenticationFailed(
                "This API key is not valid: it may have been revoked or mistyped. Ask the desk "
                "for a new one."
            ) from None
        if key.has_expired:
            raise AuthenticationFailed("This API key has expired. Ask the desk for a new one.")
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request that brought no credentials.
        return KEYWORD


class ClientKeyScheme(OpenApiAuthenticationExtension):
    """Describe API keys in the OpenAPI schema, so Swagger UI can send one."""

    target_class = ClientKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`{KEYWORD} <key>`: a key created in the admin.",
        }
