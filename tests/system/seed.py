"""Create the accounts, API keys, sessions and webhook that the system tests and load runs use."""

import argparse
import json

import django


def session_for(user) -> str:
    """Return the key of a new logged-in session for `user`, as a login through the admin makes."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def person(username: str, role: str):
    """Return a staff member in `role` who logs in by session only (no password to hash)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@desk.invalid", "is_staff": True}
    )
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def seed(*, prefix: str, fact_checkers: int, editors: int, read_keys: int, webhook: str) -> dict:
    """Create everything under `prefix` and return the sessions and keys as plain data."""
    from reviews import roles
    from reviews.models import ClientKey, WebhookSubscription

    out: dict = {"fact_checkers": [], "editors": [], "read_keys": []}
    for n in range(fact_checkers):
        user = person(f"{prefix}-fc{n}", roles.FACT_CHECKER)
        out["fact_checkers"].append({"username": user.username, "session": session_for(user)})
    for n in range(editors):
        user = person(f"{prefix}-ed{n}", roles.EDITOR)
        out["editors"].append({"username": user.username, "session": session_for(user)})
    _key, out["ingest_key"] = ClientKey.objects.create_key(
        name=f"{prefix} CMS", scopes=[ClientKey.Scope.INGEST]
    )
    for n in range(read_keys):
        _key, secret = ClientKey.objects.create_key(
            name=f"{prefix} reader {n}", scopes=[ClientKey.Scope.READ]
        )
        out["read_keys"].append(secret)
    if webhook:
        subscription = WebhookSubscription.objects.create(
            name=f"{prefix} partner",
            url=webhook,
            secret="system-test-webhook-secret",
            events=["verdict.published", "verdict.corrected", "verdict.retracted"],
        )
        out["webhook"] = {"id": subscription.pk, "secret": subscription.secret}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prefix", default="sys")
    parser.add_argument("--fact-checkers", type=int, default=1)
    parser.add_argument("--editors", type=int, default=1)
    parser.add_argument("--read-keys", type=int, default=1)
    parser.add_argument("--webhook", default="")
    args = parser.parse_args()
    django.setup()
    print(
        json.dumps(
            seed(
                prefix=args.prefix,
                fact_checkers=args.fact_checkers,
                editors=args.editors,
                read_keys=args.read_keys,
                webhook=args.webhook,
            )
        )
    )


if __name__ == "__main__":
    main()
