"""Give the review desk's tests the people they act as."""

import pytest
from django.contrib.auth.models import AnonymousUser

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
