"""Create the demo accounts (one per role) and print their demo-only passwords."""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reviews import roles

DEMO_ACCOUNTS = [
    # (username, role group or None for the superuser, description)
    ("factchecker", roles.FACT_CHECKER, "fact-checker"),
    ("editor", roles.EDITOR, "editor"),
    ("editor2", roles.EDITOR, "second editor, for panel votes"),
    ("admin", None, "administrator (superuser)"),
]


def credentials_path():
    return settings.VAR_DIR / "demo-credentials.json"


def demo_credentials() -> dict[str, str]:
    """Return the demo passwords, generating and keeping them on the first run."""
    path = credentials_path()
    stored = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for username, _role, _description in DEMO_ACCOUNTS:
        if username not in stored:
            stored[username] = f"demo-{secrets.token_urlsafe(9)}"
            changed = True
    if changed:
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


class Command(BaseCommand):
    help = "Create demo accounts for each role (idempotent) and print their demo-only passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the accounts even with DEBUG off (never on a production desk).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with DJANGO_DEBUG off; pass --force on a "
                "throwaway machine only."
            )
        credentials = demo_credentials()
        with transaction.atomic():
            for username, role, _description in DEMO_ACCOUNTS:
                self._ensure_user(username, role, credentials[username])
        if options["verbosity"] < 1:
            # `make demo` prints the accounts at the end, once the server answers.
            return
        self.stdout.write(self.style.WARNING("Demo accounts — DEMO ONLY, never use in production:"))
        for username, _role, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {credentials[username]:<24} {description}")
        self.stdout.write(f"  (kept in {credentials_path()}; delete it to rotate them)")

    def _ensure_user(self, username: str, role: str | None, password: str) -> None:
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@desk.invalid"}
        )
        user.is_staff = True
        user.is_superuser = role is None
        user.set_password(password)
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
