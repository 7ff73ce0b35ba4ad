"""The ticket page's files panel: upload a screenshot, PDF or document as evidence."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from claims.attachments import ACCEPTED
from reviews import services
from reviews.admin.research import _may_edit
from reviews.errors import ReviewError
from reviews.services.attachments import CAPTION_MAX, attachment_limit, working_attachments


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    caption = forms.CharField(
        label=_("Caption"),
        max_length=CAPTION_MAX,
        help_text=_("What the file shows; readers see it once a published verdict relies on it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"{ACCEPTED}, up to {attachment_limit():,} bytes. The type is read from the content."
        )


class DetachForm(forms.Form):
    attachment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class Files:
    """What the files panel shows to `user`: the claim's working files and the upload form."""

    def __init__(self, ticket, user, form: AttachForm | None = None, facts=None):
        self.attachments = working_attachments(ticket.claim_id)
        editable = _may_edit(ticket, user, facts)
        self.can_attach = editable and user.has_perm("claims.add_attachment")
        self.can_detach = editable and user.has_perm("claims.delete_attachment")
        self.form = form or (AttachForm(auto_id="id_attach_%s") if self.can_attach else None)


def files_action(request, ticket, render):
    """Attach or detach a file posted to the ticket page; re-render with the form if refused."""
    name = request.POST.get("action")
    form_class = AttachForm if name == "attach" else DetachForm
    form = form_class(request.POST, request.FILES, auto_id=f"id_{name}_%s")
    status = 400
    if form.is_valid():
        try:
            if name == "attach":
                services.evidence_attach(
                    ticket=ticket,
                    by=request.user,
                    upload=form.cleaned_data["file"],
                    caption=form.cleaned_data["caption"],
                )
            else:
                services.evidence_detach(
                    ticket=ticket, by=request.user, attachment=form.cleaned_data["attachment"]
                )
        except ReviewError as error:
            form.add_error(None, error.message)
            status = error.http_status
        else:
            done = "File attached: the next revision you save relies on it."
            if name == "detach":
                done = "File detached; revisions already saved keep it."
            messages.success(request, done)
            return redirect(f"{request.path}#files")
    messages.error(request, " ".join(form.non_field_errors()) or "Please correct the errors below.")
    shown = Files(ticket, request.user, form if name == "attach" else None)
    return render({"files": shown}, status)
