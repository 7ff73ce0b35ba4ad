"""A published verdict shows exactly the evidence the editors approved, whatever the desk pins."""

import pytest
from django.urls import reverse

from claims.models import Evidence, Passage
from reviews.models import Event, RevisionEvidence, WebhookDelivery, WebhookSubscription
from reviews.workflow import Stage
from tests.pages.test_verdict_page import archived
from tests.reviews.factories import new_editor, new_fact_checker, ticket_in
from tests.reviews.record.desk import act, publish_through_the_desk, researched

pytestmark = pytest.mark.django_db


def public(client, verdict_pk: int) -> dict:
    """Return the verdict page's and the API's current ETags and bodies."""
    client.logout()
    found = {}
    for name, url in [
        ("page", reverse("verdict_page", args=[verdict_pk])),
        ("api", f"/api/v1/verdicts/{verdict_pk}/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = (url, response["ETag"], response.content.decode())
    return found


def still_the_same(client, before: dict) -> None:
    client.logout()
    for url, etag, body in before.values():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
        assert client.get(url).content.decode() == body, url


def test_nobody_can_repin_or_unpin_the_evidence_of_a_published_verdict(client, server, checker):
    ticket, pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    verdict_pk = ticket.verdict.pk
    before = public(client, verdict_pk)
    assert "The audit says 2.1m." in before["page"][2] and "Contradicts" in before["page"][2]
    version = ticket.version

    for person in (checker, new_fact_checker(), new_editor()):
        client.force_login(person)
        repinned = act(
            client, ticket, "pin", passage=pinned.passage_id, stance="supports", note="Agrees."
        )
        unpinned = act(client, ticket, "unpin", evidence=pinned.pk)
        assert repinned.status_code == 400 and unpinned.status_code == 400
        assert "the ticket is published" in repinned.content.decode()

    pinned.refresh_from_db()
    ticket.refresh_from_db()
    assert (pinned.stance, pinned.note) == ("contradicts", "The audit says 2.1m.")
    assert ticket.version == version
    still_the_same(client, before)


def test_a_fact_checker_other_than_the_assignee_cannot_pin_but_an_editor_can(
    client, server, checker
):
    ticket = researched(server, checker)
    passage = Passage.objects.filter(claim=ticket.claim).order_by("rank").first()

    client.force_login(new_fact_checker())
    refused = act(client, ticket, "pin", passage=passage.pk, stance="supports")
    client.force_login(new_editor())
    allowed = act(client, ticket, "pin", passage=passage.pk, stance="supports", note="Shown.")

    assert refused.status_code == 400
    assert "only the assignee or an editor" in refused.content.decode()
    assert allowed.status_code == 302
    assert Evidence.objects.get().note == "Shown."
    assert list(Event.objects.filter(ticket=ticket).values_list("action", flat=True)) == ["pin"]


def test_during_a_correction_pins_change_only_the_next_revision(client, server, checker, editor):
    ticket, pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    verdict_pk = ticket.verdict.pk
    client.force_login(editor)
    assert act(client, ticket, "open_correction", note="Check the stance.").status_code == 302
    before = public(client, verdict_pk)

    client.force_login(checker)
    repinned = act(
        client, ticket, "pin", passage=pinned.passage_id, stance="context", note="Background."
    )
    unpinned = act(client, ticket, "unpin", evidence=pinned.pk)

    assert (repinned.status_code, unpinned.status_code) == (302, 302)
    assert not Evidence.objects.filter(pk=pinned.pk).exists()
    trail = Event.objects.filter(ticket=ticket, action__in=["pin", "unpin"]).order_by("id")
    assert [(e.action, e.actor, e.to_stage) for e in trail][-2:] == [
        ("pin", checker, Stage.CORRECTING),
        ("unpin", checker, Stage.CORRECTING),
    ]
    copy = RevisionEvidence.objects.get(revision__verdict_id=verdict_pk)
    assert (copy.stance, copy.note, copy.pinned) == ("contradicts", "The audit says 2.1m.", None)
    still_the_same(client, before)
    client.logout()
    api = client.get(f"/api/v1/verdicts/{verdict_pk}/").json()
    assert [s["stance"] for s in api["sources"]] == ["contradicts"]


def test_the_pin_form_says_its_note_is_public(client, server, checker):
    ticket = researched(server, checker)
    client.force_login(checker)

    html = client.get(reverse("admin:reviews_ticket_change", args=[ticket.pk])).content.decode()

    assert "Public note on passage 1" in html
    assert "Readers see this note" in html


def test_webhooks_carry_the_revision_copy_and_working_pins_send_none(
    client, server, checker, editor, django_capture_on_commit_callbacks
):
    WebhookSubscription.objects.create(
        name="Partner",
        url="https://partner.example/hook",
        events=["verdict.published", "verdict.corrected"],
    )
    with django_capture_on_commit_callbacks(execute=False):
        ticket, pinned, _approver = publish_through_the_desk(
            client, researched(server, checker), checker
        )
        client.force_login(editor)
        act(client, ticket, "open_correction", note="Check the stance.")
        client.force_login(checker)
        act(client, ticket, "pin", passage=pinned.passage_id, stance="supports", note="Now.")
        act(client, ticket, "unpin", evidence=pinned.pk)

    (delivery,) = WebhookDelivery.objects.all()
    (shown,) = delivery.payload["verdict"]["sources"]
    assert delivery.event == "verdict.published"
    assert (shown["stance"], shown["quote"]) == ("contradicts", pinned.quote)


@pytest.mark.parametrize(
    "stage", [Stage.APPROVED, Stage.SCHEDULED, Stage.PUBLISHED, Stage.RETRACTED]
)
def test_pinning_is_refused_once_the_verdict_is_approved(client, checker, stage):
    ticket = ticket_in(stage, assignee=checker)
    snapshot = archived("https://ledger.example/approved", "The audit found 2.1 million.")
    passage = Passage.objects.create(
        snapshot=snapshot, claim=ticket.claim, rank=0, score=1.0, start=0, end=10, text="The audit"
    )
    client.force_login(new_editor())

    response = act(client, ticket, "pin", passage=passage.pk, stance="supports")

    assert response.status_code == 400
    assert not Evidence.objects.exists()
    assert not Event.objects.filter(ticket=ticket, action="pin").exists()
