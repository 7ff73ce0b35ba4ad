"""Configure the test run: the real settings module, with a throwaway key and fast hashing."""

import os

# Not a secret: it signs nothing outside the test run.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-key-signing-nothing-real-0123456789abcdef")

from factcheck.settings import *  # noqa: F403

# The test client speaks plain HTTP to "testserver"; HTTPS redirects are tested with their own env.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests log in with the test client, which gives django-axes no request; its own test enables it.
AXES_ENABLED = False
FETCH_HOST_INTERVAL_SECONDS = (
    0  # Loopback test servers are one host; the spacing has its own tests.
)
# Matching embeds every ingested claim after the commit; its own tests switch it on with a tiny
# encoder so the rest of the suite never loads a sentence model.
MATCHING_ENABLED = False
