"""Register the claims app."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Pieces and claims"

    def ready(self) -> None:
        from claims import checks  # noqa: F401  (registers the system checks)
