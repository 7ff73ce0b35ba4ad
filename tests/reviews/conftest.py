"""Give the review desk's tests the people they act as, and send their e-mails in-process."""

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from reviews.roles import sync_roles
from reviews.tasks import send_notification
from tests.factories import UserFactory
from tests.reviews.factories import new_editor, new_fact_checker


@pytest.fixture
def checker(db):
    return new_fact_checker(username="checker")


@pytest.fixture
def editor(db):
    return new_editor(username="editor")


@pytest.fixture
def editor2(db):
    return new_editor(username="editor2")


@pytest.fixture
def people(db):
    """Return one person per role, and an anonymous visitor, by role name."""
    return {
        "fact-checker": new_fact_checker(username="role-checker"),
        "editor": new_editor(username="role-editor"),
        "api client": UserFactory(username="role-api", role="API client"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture(autouse=True)
def notifications_in_process(monkeypatch):
    """Run notification tasks in the test's process even when a real broker is configured.

    The tests read the outbox right away, and no message of theirs is left on a shared broker
    for some other test's worker to pick up.
    """

    def run_here(**kwargs):
        return send_notification.apply(kwargs=kwargs)

    monkeypatch.setattr(send_notification, "delay", run_here)
    return run_here


@pytest.fixture
def desk_data(transactional_db):
    """Recreate the roles and the rating scale that a transactional test's flush removed.

    They come from data migrations; another transactional test may have flushed them away.
    """
    # The migrations' own functions, run against the migrated state as `migrate` runs them.
    state = MigrationLoader(connection).project_state().apps
    sync_roles(state)
    importlib.import_module("reviews.migrations.0003_rating_scale").seed_scale(state, None)
