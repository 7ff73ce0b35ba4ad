"""`manage.py demo_setup` creates one account per role, idempotently, and only in debug."""

import json

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return settings


@pytest.mark.django_db
def test_demo_setup_creates_working_accounts_and_reuses_them(demo_settings, capsys):
    call_command("demo_setup")
    first = json.loads((demo_settings.VAR_DIR / "demo-credentials.json").read_text())
    call_command("demo_setup")
    second = json.loads((demo_settings.VAR_DIR / "demo-credentials.json").read_text())
    assert first == second
    users = get_user_model().objects
    assert users.filter(username__in=first).count() == len(first)
    assert authenticate(username="factchecker", password=first["factchecker"]) is not None
    assert users.get(username="editor").groups.get().name == "Editor"
    assert users.get(username="admin").is_superuser
    assert not users.get(username="factchecker").is_superuser
    assert "DEMO ONLY" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_setup_refuses_to_run_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_setup")
    assert not get_user_model().objects.filter(username="factchecker").exists()
