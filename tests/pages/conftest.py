"""Give the page tests the desk's people; notifications run in-process as in the review tests."""

import pytest

from reviews.tasks import send_notification
from tests.reviews.factories import new_editor, new_fact_checker


@pytest.fixture
def checker(db):
    return new_fact_checker(username="checker")


@pytest.fixture
def editor(db):
    return new_editor(username="editor")


@pytest.fixture(autouse=True)
def notifications_in_process(monkeypatch):
    """Send notification e-mails in the test's process: nothing is left on a shared broker."""
    monkeypatch.setattr(
        send_notification, "delay", lambda **kwargs: send_notification.apply(kwargs=kwargs)
    )
