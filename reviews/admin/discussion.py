"""The ticket page's discussion panel: comments with @mentions, and editors' private notes."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from reviews import selectors, services
from reviews.errors import ReviewError
from reviews.models.discussion import PRIVATE_NOTES
from reviews.services.discussion import COMMENT_MAX


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        help_text=_("Internal to the desk, never public. Write @username to notify someone."),
        widget=forms.Textarea({"rows": 3, "cols": 60}),
    )
    private = forms.BooleanField(
        label=_("Private note (editors only)"),
        required=False,
        help_text=_("Fact-checkers do not see it."),
    )


class Discussion:
    """What the discussion panel shows to `user`, and the form they post with."""

    def __init__(self, ticket, user, form: CommentForm | None = None):
        self.comments = list(selectors.ticket_discussion(ticket, user))
        self.can_comment = user.has_perm("reviews.add_comment")
        self.can_write_private = user.has_perm(PRIVATE_NOTES)
        self.form = form or (CommentForm(auto_id="id_comment_%s") if self.can_comment else None)
        if self.form is not None and not self.can_write_private:
            self.form.fields.pop("private", None)


def discussion_action(request, ticket, render):
    """Post a comment to the ticket's discussion; on a refusal re-render with the form kept."""
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if form.is_valid():
        try:
            services.comment_add(
                ticket=ticket,
                by=request.user,
                body=form.cleaned_data["body"],
                private=form.cleaned_data["private"],
            )
        except ReviewError as error:
            form.add_error("body", error.message)
            status = error.http_status
        else:
            messages.success(request, "Comment posted; anyone you mentioned was notified.")
            return redirect(f"{request.path}#discussion")
    else:
        status = 400
    messages.error(request, "Your comment was not posted: see below.")
    return render({"discussion": Discussion(ticket, request.user, form)}, status)
