"""The ticket page's tags panel: set the claim's topics (and so its verdict's)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from claims.models import Tag
from reviews import services, workflow
from reviews.errors import ReviewError
from reviews.services.tagging import tags_editors_only


class TagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.order_by("name", "id"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Topics of the claim; readers and the API see them once the verdict is public."
        ),
    )


class Tagging:
    """What the tags panel shows to `user`: the claim's tags, and the form if they may set them."""

    def __init__(self, ticket, user, form: TagsForm | None = None, facts=None):
        self.tags = sorted(ticket.claim.tags.all(), key=lambda tag: tag.name)
        self.form = form
        verdict = facts.verdict if facts is not None else None
        # The service decides; the form is offered only to whom it would not refuse.
        editors_only = tags_editors_only(ticket, verdict)
        may = user.has_perm(workflow.PUBLISH if editors_only else workflow.DRAFT)
        if form is None and may:
            self.form = TagsForm(
                auto_id="id_tags_%s", initial={"tags": [tag.slug for tag in self.tags]}
            )


def tags_action(request, ticket, render):
    """Set the claim's tags from the ticket page; on a refusal re-render with the form kept."""
    form = TagsForm(request.POST, auto_id="id_tags_%s")
    status = 400
    if form.is_valid():
        try:
            services.ticket_set_tags(ticket=ticket, by=request.user, tags=form.cleaned_data["tags"])
        except ReviewError as error:
            form.add_error(None, error.message)
            status = error.http_status
        else:
            messages.success(request, "Tags saved.")
            return redirect(f"{request.path}#tags")
    messages.error(request, "The tags were not changed: see below.")
    return render({"tagging": Tagging(ticket, request.user, form)}, status)
