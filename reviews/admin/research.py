"""The research beside a ticket's verdict: cite sources, read ranked passages, pin evidence."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from claims import selectors as claim_selectors
from claims.errors import ClaimsError
from claims.models import Citation, Evidence, Passage
from claims.services import citation_add, evidence_pin, evidence_unpin

# Research steps posted to the ticket page; they change the claim's sources, not the ticket.
RESEARCH_ACTIONS = ("cite", "pin", "unpin")

DONE = {
    "cite": "Source added: it is being archived, and its best passages will appear here.",
    "pin": "Passage pinned as evidence; tick it in the verdict form to rely on it.",
    "unpin": "Evidence unpinned.",
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
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput({"placeholder": _("Note (optional)")}),
    )


class UnpinForm(forms.Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput)


def host(url: str) -> str:
    """Return the host of `url`, for naming a source in a narrow column."""
    return urlsplit(url).hostname or url[:60]


@dataclass
class PassageRow:
    """A ranked passage with the form that pins it, or the evidence it already is."""

    passage: Passage
    form: PinForm | None
    pinned: Evidence | None


class Research:
    """What the research column shows, read in three queries whatever the claim's sources."""

    def __init__(self, claim, user, *, bound: dict | None = None):
        bound = bound or {}
        self.claim = claim
        self.citations: list[Citation] = list(claim_selectors.citations_for_claim(claim))
        self.evidence: list[Evidence] = list(claim_selectors.evidence_for_claim(claim))
        self.can_cite = user.has_perm("claims.add_citation")
        self.can_pin = user.has_perm("claims.add_evidence")
        self.can_unpin = user.has_perm("claims.delete_evidence")
        pinned = {item.passage_id: item for item in self.evidence if item.passage_id}
        self.passages = [
            PassageRow(
                passage=passage,
                form=self._pin_form(passage, bound) if self.can_pin else None,
                pinned=pinned.get(passage.pk),
            )
            for passage in claim_selectors.passages_for_claim(claim)
        ]
        self.cite_form = bound.get("cite") or (
            CiteForm(auto_id="id_cite_%s") if self.can_cite else None
        )

    @staticmethod
    def _pin_form(passage: Passage, bound: dict) -> PinForm:
        form = bound.get("pin")
        if form is not None and form.data.get("passage") == str(passage.pk):
            return form
        return PinForm(auto_id=f"id_pin{passage.pk}_%s", initial={"passage": passage.pk})


def research_form(name: str, data) -> forms.Form:
    """Return the bound form of research step `name`."""
    if name == "cite":
        return CiteForm(data, auto_id="id_cite_%s")
    if name == "pin":
        return PinForm(data, auto_id=f"id_pin{data.get('passage', '')}_%s")
    return UnpinForm(data)


def research_perform(name: str, *, claim, by, data: dict) -> None:
    """Run research step `name` through the claims services; raise ClaimsError if refused."""
    if name == "cite":
        citation_add(claim=claim, url=data["url"], by=by)
        return
    if name == "pin":
        passage = Passage.objects.select_related("snapshot").filter(pk=data["passage"]).first()
        if passage is None:
            raise ClaimsError("That passage is gone: its source was archived again. Reload.")
        evidence_pin(claim=claim, passage=passage, stance=data["stance"], note=data["note"], by=by)
        return
    evidence = Evidence.objects.filter(pk=data["evidence"], claim=claim).first()
    if evidence is None:
        raise ClaimsError("That evidence is no longer pinned to this claim.")
    evidence_unpin(evidence=evidence, by=by)
