"""The desk's roles exist after migrate, each with its declared permissions."""

import pytest
from django.contrib.auth.models import Group

from reviews.roles import ROLE_PERMISSIONS


@pytest.mark.django_db
def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_holds_exactly_its_declared_permissions(role):
    group = Group.objects.get(name=role)
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_api_clients_cannot_change_anything():
    group = Group.objects.get(name="API client")
    assert not group.permissions.exclude(codename__startswith="view_").exists()
