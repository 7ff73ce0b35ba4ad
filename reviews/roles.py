"""Declare the desk's roles as Django groups and the permissions each one carries."""

from django.contrib.auth.management import create_permissions

FACT_CHECKER = "Fact-checker"
EDITOR = "Editor"
API_CLIENT = "API client"

_FACT_CHECKER_PERMISSIONS = [
    "claims.view_article",
    "claims.add_article",
    "claims.view_claim",
    # Cite more reporting for a claim (the admin's citation inline, the API's citation endpoint).
    "claims.add_citation",
    # The review desk: read everything on the record, act through the workflow's services.
    "reviews.view_ticket",
    "reviews.view_verdict",
    "reviews.view_verdictrevision",
    "reviews.view_vote",
    "reviews.view_correction",
    "reviews.view_event",
    "reviews.view_rating",
    "reviews.triage_ticket",
    "reviews.take_ticket",
    "reviews.draft_verdict",
    # Research on the ticket page: read the archived sources and pin their passages as evidence.
    "claims.view_source",
    "claims.view_snapshot",
    "claims.view_citation",
    "claims.view_passage",
    "claims.view_evidence",
    "claims.add_evidence",
    "claims.delete_evidence",
    # See why a source failed and ask for it again ("fetch now", "retry failed").
    "claims.view_fetchattempt",
    "claims.change_source",
    # Claim matching: what the desk and other publishers already ruled on.
    "claims.view_externalfactcheck",
    "reviews.view_claimmatch",
    "reviews.view_externalratingmap",
    # The ticket's discussion: read it, comment, @mention colleagues (never public).
    "reviews.view_comment",
    "reviews.add_comment",
    # Topics: read the tags; set them on a claim from its ticket page (reviews.draft_verdict).
    "claims.view_tag",
    # Upload screenshots, PDFs and documents as evidence (and take them off the working set).
    "claims.view_attachment",
    "claims.add_attachment",
    "claims.delete_attachment",
]
_EDITOR_PERMISSIONS = [
    *_FACT_CHECKER_PERMISSIONS,
    "claims.change_article",
    # Remove a piece ingested by mistake (Review desk → Pieces received), on the record.
    "claims.delete_article",
    "reviews.assign_ticket",
    "reviews.edit_any_verdict",
    "reviews.vote_verdict",
    "reviews.request_changes",
    "reviews.publish_verdict",
    "reviews.retract_verdict",
    "reviews.request_correction",
    # Say what other publishers' rating words mean on the desk's scale.
    "reviews.add_externalratingmap",
    "reviews.change_externalratingmap",
    "reviews.delete_externalratingmap",
    # Editor-only private notes in a ticket's discussion (Comment.private).
    "reviews.private_note",
    # Name the desk's topics (Claims → Tags); renaming one changes every verdict that shows it.
    "claims.add_tag",
    "claims.change_tag",
]

# A machine account of a client of the REST API holds no permission at all: the API serves it
# what it serves the public (published verdicts, never a draft or a piece under embargo), and
# the admin shows it nothing of the desk (no piece, claim or record), whatever its staff flag.
# Machine clients normally authenticate with API keys, whose scopes say what they may do.
_API_CLIENT_PERMISSIONS: list[str] = []

# Later migrations extend these lists and call sync_roles again; the mapping is the single truth.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    FACT_CHECKER: _FACT_CHECKER_PERMISSIONS,
    EDITOR: _EDITOR_PERMISSIONS,
    API_CLIENT: _API_CLIENT_PERMISSIONS,
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create every role group and set its permissions to the declared ones that exist yet.

    Each migration that adds permissions calls this again, so an early migration skips the
    permissions of models that later migrations create; a test checks none is missing at the end.
    """
    for app_config in apps.get_app_configs():
        # Permissions are normally created after migrate; create them now so groups can hold them.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, dotted in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for name in dotted:
            app_label, codename = name.split(".", 1)
            wanted.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
