"""The desk's admin site: every list it registers refuses a forged selection (see paginator)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from factcheck.paginator import CheckedSelectionAdmin


class DeskAdminSite(admin.AdminSite):
    """The default admin site, registering every ModelAdmin with CheckedSelectionAdmin first.

    Declared here once, so a list registered later (the project's, or a contrib app's such as
    users and groups) cannot forget it and answer a 500 to a selection that is not ids.
    """

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedSelectionAdmin):
            admin_class = type(
                admin_class.__name__,
                (CheckedSelectionAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class DeskAdminConfig(AdminConfig):
    default_site = "factcheck.admin.DeskAdminSite"
