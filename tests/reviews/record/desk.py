"""Drive a verdict through the desk's real pages: pin, draft, submit, approve, publish."""

from django.urls import reverse

from claims.models import Citation, Evidence, Passage
from claims.services import passages_rank, source_fetch
from claims.services.citations import source_for_url
from reviews.models import Ticket
from reviews.workflow import Stage
from tests.claims.httpserver import page
from tests.pages.factories import piece
from tests.reviews.factories import new_editor, rating, ticket_in

TEXT = (
    "The mayor spoke on Monday.\n"
    "The council spent 4 million dollars on the bridge, says the ledger. It was a waste.\n"
    "Nobody asked why."
)
CLAIM = "The council spent 4 million dollars on the bridge, says the ledger."
REPORT = (
    b"<html><head><title>Bridge audit</title></head><body><article>"
    b"<p>The audit found that the council spent 2.1 million dollars on the bridge in 2023.</p>"
    b"<p>The remaining money went to roads and to the harbour wall.</p>"
    b"</article></body></html>"
)
REPORT_CHANGED = REPORT.replace(b"2.1 million", b"2.4 million")


def ticket_page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def act(client, ticket, action: str, **data):
    """Post `action` to the ticket page as it is now (with its current version)."""
    ticket.refresh_from_db()
    return client.post(ticket_page(ticket), {"action": action, "version": ticket.version, **data})


def researched(server, checker, *, slug: str = "bridge-piece"):
    """Return a researching ticket whose piece links an archived report, ranked for the claim."""
    server.route("/report", page(REPORT))
    article = piece(TEXT, slug=slug)
    start = TEXT.index(CLAIM)
    ticket = ticket_in(
        Stage.RESEARCHING,
        assignee=checker,
        draft=False,
        article=article,
        start=start,
        end=start + len(CLAIM),
        position=1,
    )
    url = server.url("/report")
    source, _ = source_for_url(url=url, normalized_url=url)
    anchor = TEXT.index("the ledger")
    Citation.objects.create(
        claim=ticket.claim,
        source=source,
        href=url,
        start=anchor,
        end=anchor + 10,
        origin=Citation.Origin.ARTICLE,
    )
    source = source_fetch(source_id=source.pk)
    # A source archived before this claim cited it is ranked for it as citing by hand does.
    passages_rank(snapshot=source.last_snapshot, claims=[ticket.claim])
    return ticket


def publish_through_the_desk(client, ticket, checker, *, note: str = "The audit says 2.1m."):
    """Pin the best passage, draft, submit, approve and publish, each by posting the page."""
    passage = Passage.objects.filter(claim=ticket.claim).order_by("rank", "id").first()
    client.force_login(checker)
    assert (
        act(client, ticket, "pin", passage=passage.pk, stance="contradicts", note=note).status_code
        == 302
    )
    pinned = Evidence.objects.get(claim=ticket.claim, passage=passage)
    drafted = act(
        client,
        ticket,
        "save_draft",
        rating=rating("false").pk,
        summary="The bridge cost about half as much.",
        explanation="The audit puts it at 2.1 million dollars.",
        short_claim="The bridge cost 4m.",
        evidence=[pinned.pk],
    )
    assert drafted.status_code == 302
    assert act(client, ticket, "submit", note="").status_code == 302
    approver = new_editor()
    client.force_login(approver)
    voted = act(client, ticket, "vote", rating=rating("false").pk, note="")
    assert voted.status_code == 302
    assert act(client, ticket, "publish", correction_note="").status_code == 302
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.stage == Stage.PUBLISHED
    return ticket, pinned, approver
