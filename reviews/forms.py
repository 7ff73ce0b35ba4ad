"""The admin's forms for each workflow action: they collect input, the services decide."""

from datetime import datetime, time

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Evidence
from claims.selectors import evidence_for_claim
from factcheck.ids import as_id
from reviews import workflow
from reviews.models import Rating
from reviews.selectors import rating_scale, users_with_permission
from reviews.shortclaim import SHORT_CLAIM_MAX, suggest_short_claim
from reviews.workflow import DismissReason


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


def assignee_field(*, required: bool) -> AssigneeChoiceField:
    return AssigneeChoiceField(
        queryset=users_with_permission(workflow.DRAFT), required=required, label=_("Assignee")
    )


class ActionFormBase(forms.Form):
    """A form for one action on one ticket, carrying the ticket version it was opened at.

    Every action's form takes the same context: the ticket, its verdict's current revision and
    its open correction (each form uses what it needs). `arguments()` turns the cleaned data
    into the keyword arguments of the action's service.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, ticket, current=None, correction=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", ticket.version)
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.current = current
        self.correction = correction

    def arguments(self) -> dict:
        """Return the service's arguments beyond the ticket, the person and the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class PlainActionForm(ActionFormBase):
    """An action that needs nothing but the person's say-so (take, queue, submit)."""


class NoteForm(ActionFormBase):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))


class RequiredNoteForm(ActionFormBase):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea({"rows": 3}))


class DismissForm(NoteForm):
    # Nothing chosen in advance: dismissing says why, and the person says it.
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("— choose a reason —")), *DismissReason.choices]
    )
    field_order = ["reason", "note"]


class AssignForm(ActionFormBase):
    assignee = forms.ModelChoiceField(queryset=None, label=_("Assignee"))
    due_at = forms.SplitDateTimeField(label=_("Due"), required=False, widget=AdminSplitDateTime)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = assignee_field(required=True)
        self.initial.setdefault("assignee", self.ticket.assignee_id)
        self.initial.setdefault("due_at", self.ticket.due_at)


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        # A posted value past the bigint range would reach the database's IN (...) and fail
        # there (SQLite cannot bind it): refuse it as Django refuses "abc".
        for item in value if isinstance(value, list | tuple) else []:
            if as_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super().clean(value)

    def label_from_instance(self, evidence):
        quote = evidence.quote if len(evidence.quote) <= 160 else f"{evidence.quote[:159]}…"
        return f"{evidence.get_stance_display()}: “{quote}” ({evidence.source.normalized_url})"


class VerdictForm(ActionFormBase):
    rating = forms.ModelChoiceField(
        queryset=Rating.objects.none(),
        label=_("Rating"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=200,
        help_text=_("One headline-length sentence."),
        widget=forms.TextInput({"size": 90}),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea({"rows": 10}),
        help_text=_("The full reasoning, citing the evidence it relies on."),
    )

    short_claim = forms.CharField(
        label=_("Short claim"),
        max_length=SHORT_CLAIM_MAX,
        required=False,
        help_text=_(
            "The claim in at most 75 characters, as search engines show it. Filled in from the "
            "assertion when it fits (a longer one is shown cut, as a hint); required before "
            "publishing."
        ),
        widget=forms.TextInput({"size": 80}),
    )
    first_appearance_url = forms.URLField(
        label=_("First appearance"),
        required=False,
        assume_scheme="https",
        help_text=_("Where the claim appeared first, if before this piece; empty: the piece."),
        widget=forms.URLInput({"size": 80}),
    )

    evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(),
        label=_("Evidence it relies on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The pinned passages this revision cites; readers see their sources."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.current
        # A retired rating stays selectable on the verdict that already uses it.
        kept = Q(pk=current.rating_id) if current is not None else Q(pk__in=[])
        self.fields["rating"].queryset = rating_scale().filter(Q(is_active=True) | kept)
        self.fields["evidence"].queryset = evidence_for_claim(self.ticket.claim)
        if current is not None:
            self.initial.setdefault("rating", current.rating_id)
            self.initial.setdefault("summary", current.summary)
            self.initial.setdefault("explanation", current.explanation)
            self.initial.setdefault("first_appearance_url", current.first_appearance_url)
        suggestion = suggest_short_claim(self.ticket.claim.text)
        if suggestion.endswith("…"):
            # A cut-off assertion is a hint, not a short claim: publishing waits for a person
            # to write one that reads whole.
            self.fields["short_claim"].widget.attrs["placeholder"] = suggestion
            suggestion = ""
        self.initial.setdefault(
            "short_claim",
            (current.short_claim if current is not None else "") or suggestion,
        )
        self.initial.setdefault("evidence", self._evidence_offered(current))

    def _evidence_offered(self, current) -> list[int]:
        """Return the evidence ticked at first: what the last revision relied on, and newer pins."""
        pinned = Evidence.objects.filter(claim_id=self.ticket.claim_id)
        if current is None:
            return list(pinned.values_list("pk", flat=True))
        return list(
            pinned.filter(
                Q(revision_copies__revision=current) | Q(pinned_at__gt=current.created_at)
            )
            .distinct()
            .values_list("pk", flat=True)
        )


class VoteForm(ActionFormBase):
    """An editor's approval; sending a verdict back is the request_changes action."""

    rating = forms.ModelChoiceField(
        queryset=Rating.objects.none(),
        label=_("The rating you would give"),
        required=False,
        help_text=_("Leave it on the verdict's rating if you agree with it."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Optional; to send the verdict back, use “Request changes” instead."),
    )
    followed_precedent = forms.TypedChoiceField(
        label=_("Precedent"),
        choices=[
            ("", _("Not said, or no precedent")),
            ("yes", _("This vote follows how we ruled on similar claims")),
            ("no", _("This vote departs from how we ruled on similar claims")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        help_text=_("The similar claims the desk ruled on are listed above the form."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = rating_scale()
        if self.current is not None:
            self.initial.setdefault("rating", self.current.rating_id)

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "note": data["note"],
            "followed_precedent": data.get("followed_precedent"),
        }


class PublishForm(ActionFormBase):
    correction_note = forms.CharField(
        label=_("Correction note"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Shown to readers with the corrected verdict."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.correction is None:
            del self.fields["correction_note"]
        else:
            self.fields["correction_note"].required = True
            self.initial.setdefault("correction_note", self.correction.public_note)


class RetractForm(ActionFormBase):
    reason = forms.CharField(
        label=_("Public reason"),
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Readers and API clients see it with the retracted verdict."),
    )


class TicketListActionForm(ActionForm):
    """The changelist's action bar, with what bulk dismissal and bulk assignment need."""

    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "—"), *DismissReason.choices]
    )
    assignee = forms.ModelChoiceField(queryset=None, required=False, label=_("Assignee"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=AdminDateWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = assignee_field(required=False)

    def due_at(self) -> datetime | None:
        """Return the end of the chosen due day in the desk's time zone."""
        day = self.cleaned_data.get("due_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59)))
