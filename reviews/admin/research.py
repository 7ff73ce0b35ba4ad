"""The one research screen, beside a ticket's verdict: cite, read ranked passages, pin evidence.

The claim admin links here rather than keeping a copy. Each form is validated by calling its
service: a refusal (a private address, a stage that no longer allows pinning) becomes an error
on the form, never an unhandled exception.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from claims import selectors as claim_selectors
from claims.errors import ClaimsError
from claims.models import Citation, Evidence, Passage, Snapshot
from claims.ranking import rank_passages, split_lines
from claims.services import citation_add
from reviews import actions, services, workflow
from reviews.errors import ReviewError

# Research steps posted to the ticket page; they change the claim's sources and working evidence.
RESEARCH_ACTIONS = ("cite", "pin", "pin_span", "unpin", "refetch")
# How many candidate passages per archived copy "Show more candidates" ranks on demand.
MORE_CANDIDATES = 15

DONE = {
    "cite": "Source added: it is being archived, and its best passages will appear here.",
    "pin": "Passage pinned as evidence; tick it in the verdict form to rely on it.",
    "pin_span": "Selection pinned as evidence; tick it in the verdict form to rely on it.",
    "unpin": "Evidence unpinned; revisions already saved keep their copy.",
    "refetch": "Source queued to be fetched again; published verdicts keep their archived copy.",
}


class CiteForm(forms.Form):
    url = forms.CharField(
        label=_("Add a source"),
        max_length=2000,
        help_text=_("Paste the address of reporting the claim relies on; the desk archives it."),
        widget=forms.URLInput({"size": 60, "placeholder": "https://"}),
    )


class PinForm(forms.Form):
    passage = forms.IntegerField(widget=forms.HiddenInput)
    stance = forms.ChoiceField(
        label=_("Stance"), choices=Evidence.Stance.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=2000,
        help_text=_("Readers see this note beside the quote once a published verdict uses it."),
        widget=forms.TextInput({"placeholder": _("Public note, shown to readers (optional)")}),
    )


class SpanPinForm(forms.Form):
    """Pin any span of an archived copy's text: the page's script fills the offsets from a
    selection or a clicked paragraph; without it, type the offsets shown beside each paragraph."""

    snapshot = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.IntegerField(
        label=_("From character"), min_value=0, widget=forms.NumberInput({"class": "span-start"})
    )
    end = forms.IntegerField(
        label=_("to character"), min_value=1, widget=forms.NumberInput({"class": "span-end"})
    )
    stance = forms.ChoiceField(
        label=_("Stance"), choices=Evidence.Stance.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=2000,
        help_text=_("Readers see this note beside the quote once a published verdict uses it."),
        widget=forms.TextInput({"placeholder": _("Public note, shown to readers (optional)")}),
    )


class UnpinForm(forms.Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput)


class RefetchForm(forms.Form):
    source = forms.IntegerField(widget=forms.HiddenInput)


FORMS = {
    "cite": CiteForm,
    "pin": PinForm,
    "pin_span": SpanPinForm,
    "unpin": UnpinForm,
    "refetch": RefetchForm,
}
# The field a service's refusal is shown on (None: above the form).
ERROR_FIELD = {"cite": "url", "pin": None, "pin_span": None, "unpin": None, "refetch": None}


def host(url: str) -> str:
    """Return the host of `url`, for naming a source in a narrow column."""
    return urlsplit(url).hostname or url[:60]


@dataclass
class Paragraph:
    """A paragraph of an archived copy's text, with its offsets in that text."""

    start: int
    end: int
    text: str


@dataclass
class ArchivedText:
    """An archived copy a fact-checker reads to pin any span of it, with its pin form."""

    snapshot: Snapshot
    paragraphs: list[Paragraph]
    form: SpanPinForm | None
    # Ranked on demand ("Show more candidates"), beyond the passages stored for the claim.
    candidates: list[Paragraph] = field(default_factory=list)


@dataclass
class PassageRow:
    """A ranked passage with the fields of the form that pins it, or the evidence it already is."""

    passage: Passage
    pin_fields: str | None
    pinned: Evidence | None


PIN_FIELDS = "admin/reviews/ticket/pin_fields.html"
# Stands for a passage's id and its number in the list in the pin fields rendered once a page.
PASSAGE_TOKEN, COUNTER_TOKEN = "0000000000", "__counter__"


class Research:
    """What the research column shows, read in a few queries whatever the claim's sources."""

    def __init__(self, ticket, user, *, bound: dict | None = None, facts=None, more=False):
        bound = bound or {}
        claim = ticket.claim
        self.claim = claim
        self.citations: list[Citation] = list(claim_selectors.citations_for_claim(claim))
        self.evidence: list[Evidence] = list(claim_selectors.evidence_for_claim(claim))
        editable = _may_edit(ticket, user, facts)
        self.can_cite = user.has_perm("claims.add_citation")
        self.can_pin = editable and user.has_perm("claims.add_evidence")
        self.can_unpin = editable and user.has_perm("claims.delete_evidence")
        self.can_refetch = user.has_perm(workflow.PUBLISH)
        pinned = {item.passage_id: item for item in self.evidence if item.passage_id}
        blank = _blank_pin_fields() if self.can_pin else None
        self.passages = [
            PassageRow(
                passage=passage,
                pin_fields=self._pin_fields(passage, number, bound, blank),
                pinned=pinned.get(passage.pk),
            )
            for number, passage in enumerate(claim_selectors.passages_for_claim(claim), 1)
        ]
        self.more = more
        self.archived = (
            [self._archived(snapshot, bound) for snapshot in self._snapshots()]
            if self.can_pin
            else []
        )
        self.cite_form = bound.get("cite") or (
            CiteForm(auto_id="id_cite_%s") if self.can_cite else None
        )

    def _snapshots(self) -> list[Snapshot]:
        """Return the current archived copy of each cited source, once each, in citation order."""
        seen, found = set(), []
        for citation in self.citations:
            snapshot = citation.source.last_snapshot
            if snapshot is not None and snapshot.pk not in seen:
                seen.add(snapshot.pk)
                snapshot.source = citation.source  # its own source, already read
                found.append(snapshot)
        # The citations leave each copy's text in the database (the ticket page lists them
        # without it); the copies shown to pin from read theirs here, in one query.
        texts = dict(Snapshot.objects.filter(pk__in=seen).values_list("pk", "text"))
        for snapshot in found:
            snapshot.text = texts[snapshot.pk]
        return found

    def _archived(self, snapshot: Snapshot, bound: dict) -> ArchivedText:
        form = bound.get("pin_span")
        if form is None or form.data.get("snapshot") != str(snapshot.pk):
            form = SpanPinForm(
                auto_id=f"id_span{snapshot.pk}_%s", initial={"snapshot": snapshot.pk}
            )
        paragraphs = [Paragraph(p.start, p.end, p.text) for p in split_lines(snapshot.text or "")]
        candidates = []
        if self.more:
            stored = {
                (row.passage.start, row.passage.end)
                for row in self.passages
                if row.passage.snapshot_id == snapshot.pk
            }
            candidates = [
                Paragraph(p.start, p.end, p.text)
                for p in rank_passages(snapshot.text or "", self.claim.text, top_k=MORE_CANDIDATES)
                if (p.start, p.end) not in stored
            ]
        return ArchivedText(snapshot, paragraphs, form, candidates)

    @staticmethod
    def _pin_fields(passage: Passage, number: int, bound: dict, blank: str | None) -> str | None:
        """Return the pin form's fields for `passage`: the posted form's, or the blank ones."""
        if blank is None:
            return None
        form = bound.get("pin")
        if form is not None and form.data.get("passage") == str(passage.pk):
            return render_to_string(PIN_FIELDS, {"form": form, "counter": number})
        # The blank fields are rendered once a page (a hundred passages would otherwise render
        # five hundred widgets); only the passage's id and number differ from row to row.
        return mark_safe(  # noqa: S308 - rendered by the template; the ids are integers
            blank.replace(PASSAGE_TOKEN, str(passage.pk)).replace(COUNTER_TOKEN, str(number))
        )


def _blank_pin_fields() -> str:
    form = PinForm(auto_id=f"id_pin{PASSAGE_TOKEN}_%s", initial={"passage": PASSAGE_TOKEN})
    return render_to_string(PIN_FIELDS, {"form": form, "counter": COUNTER_TOKEN})


def _may_edit(ticket, user, facts) -> bool:
    """Return whether `user` may change the working evidence now (as for saving a draft)."""
    try:
        actions.require("save_draft", ticket=ticket, user=user, facts=facts)
    except ReviewError:
        return False
    return True


def research_form(name: str, data) -> forms.Form:
    """Return the bound form of research step `name`."""
    if name == "pin":
        auto_id = f"id_pin{data.get('passage', '')}_%s"
    elif name == "pin_span":
        auto_id = f"id_span{data.get('snapshot', '')}_%s"
    else:
        auto_id = f"id_{name}_%s"
    return FORMS[name](data, auto_id=auto_id)


def research_submit(name: str, *, ticket, by, data) -> forms.Form:
    """Validate research step `name` by running it; a refusal becomes an error on the form."""
    form = research_form(name, data)
    if not form.is_valid():
        return form
    try:
        _perform(name, ticket=ticket, by=by, data=form.cleaned_data)
    except ClaimsError as error:
        form.add_error(ERROR_FIELD[name], str(error))
    except ReviewError as error:
        form.add_error(ERROR_FIELD[name], error.message)
    return form


def _perform(name: str, *, ticket, by, data: dict) -> None:
    if name == "cite":
        citation_add(claim=ticket.claim, url=data["url"], by=by)
    elif name == "pin":
        services.evidence_pin(
            ticket=ticket, passage=data["passage"], stance=data["stance"], note=data["note"], by=by
        )
    elif name == "pin_span":
        services.evidence_pin_span(
            ticket=ticket,
            snapshot=data["snapshot"],
            start=data["start"],
            end=data["end"],
            stance=data["stance"],
            note=data["note"],
            by=by,
        )
    elif name == "unpin":
        services.evidence_unpin(ticket=ticket, evidence=data["evidence"], by=by)
    else:
        services.source_refetch(ticket=ticket, source=data["source"], by=by)
