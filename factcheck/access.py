"""Who is asking: the client's address behind the proxies, and the answer to a locked-out login."""

import math

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse


def client_address(request) -> str:
    """Return the client's address, read behind exactly `NUM_PROXIES` proxies.

    The one rule for the API's throttles and django-axes's login lockouts. With no proxy the
    socket's peer is the client, whatever X-Forwarded-For says; behind N proxies the N-th entry
    from the right is the one the outermost trusted proxy appended, so a client cannot pose as
    another by sending its own header.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    return entries[-min(settings.NUM_PROXIES, len(entries))] or remote


def cool_off_seconds() -> int:
    """Return how long a lockout lasts, in whole seconds."""
    return max(1, math.ceil(float(settings.AXES_COOLOFF_TIME) * 3600))


def locked_out(request, original_response=None, credentials=None):
    """Answer a locked-out login: a page that says for how long, with Retry-After and a way back."""
    seconds = cool_off_seconds()
    response = render(
        request,
        "registration/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": "Too many failed logins",
            "minutes": math.ceil(seconds / 60),
            "login_url": reverse("admin:login"),
            "front_page_url": reverse("front_page"),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
