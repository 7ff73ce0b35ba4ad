"""System checks for the claims app: fetching settings and the sentence encoder."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def check_fetch_private_networks(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when the test-only private-network allowance is on outside DEBUG."""
    if getattr(settings, "FETCH_ALLOW_PRIVATE_NETWORKS", False) and not settings.DEBUG:
        return [
            Warning(
                "FETCH_ALLOW_PRIVATE_NETWORKS is on while DEBUG is off.",
                hint=(
                    "This lets the fetcher reach loopback and private addresses, so anyone "
                    "who can submit a URL can probe internal services. It exists for tests "
                    "only; remove it from production settings."
                ),
                obj="settings.FETCH_ALLOW_PRIVATE_NETWORKS",
                id="claims.W001",
            )
        ]
    return []


@register()
def check_sentence_encoder(app_configs=None, **kwargs) -> list[Error]:
    """Refuse to start with an unknown encoder name, or a missing or altered model."""
    from claims.encoding import ENCODERS, EncoderUnavailable, verify_encoder

    name = getattr(settings, "CLAIMS_ENCODER", "") or None
    try:
        verify_encoder(name)
    except EncoderUnavailable as error:
        return [
            Error(
                str(error),
                hint=f"Set CLAIMS_ENCODER to one of {', '.join(sorted(ENCODERS))} and install "
                "requirements.txt.",
                obj="settings.CLAIMS_ENCODER",
                id="claims.E001",
            )
        ]
    return []


@register()
def check_checkworthiness_model(app_configs=None, **kwargs) -> list[Error]:
    """Refuse to start with a missing or unreadable model artifact, or an altered network file."""
    from claims.extraction.model import ARTIFACT_PATH, ModelError, load_model
    from claims.extraction.network import NetworkUnavailable, verify_network

    try:
        model = load_model(ARTIFACT_PATH)
        if model.network is not None:
            verify_network(model.network.path, model.network.sha256)
    except FileNotFoundError:
        message = f"the check-worthiness model {ARTIFACT_PATH} is missing"
    except (ModelError, NetworkUnavailable, ValueError, KeyError) as error:
        message = str(error)
    else:
        return []
    return [
        Error(
            message,
            hint="Restore claims/extraction/model/ from the repository, or retrain with "
            "`python manage.py train_checkworthiness --fine-tune`.",
            obj="claims.extraction.model",
            id="claims.E002",
        )
    ]
