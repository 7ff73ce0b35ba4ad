"""Share the admin behaviour of records the archive writes and nobody edits by hand."""


class ArchiveRecordAdmin:
    """Show a record read-only: snapshots and ranked passages come from fetches, not forms."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
