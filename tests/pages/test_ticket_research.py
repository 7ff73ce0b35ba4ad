"""The ticket page puts the sources and passages beside the verdict, and pins from there."""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Citation, Evidence, Passage
from reviews.models import VerdictRevision
from reviews.workflow import Stage
from tests.factories import UserFactory
from tests.pages.test_verdict_page import archived
from tests.reviews.factories import rating, ticket_in

_sources = itertools.count()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def researched(ticket, n: int = 1) -> list[Passage]:
    """Cite `n` archived sources from the ticket's claim, each with one ranked passage."""
    passages = []
    for i in range(n):
        snapshot = archived(
            f"https://ledger.example/{next(_sources)}",
            f"The audit found the bridge cost 2.{i} million dollars in 2023.",
        )
        Citation.objects.create(claim=ticket.claim, source=snapshot.source, href="x")
        passages.append(
            Passage.objects.create(
                snapshot=snapshot,
                claim=ticket.claim,
                rank=0,
                score=3.0 - i / 10,
                start=0,
                end=len(snapshot.text),
                text=snapshot.text,
            )
        )
    return passages


@pytest.mark.django_db
def test_the_page_shows_sources_and_passages_beside_the_verdict_form(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    (passage,) = researched(ticket)
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    work = html.split('class="desk-work"')[1]
    research, verdict = work.split('class="desk-verdict"')
    assert "https://ledger.example/" in research
    assert passage.text in research
    assert 'name="action" value="pin"' in research
    assert 'name="action" value="save_draft"' in verdict
    assert html.index('id="timeline"') > html.index('class="desk-work"')


@pytest.mark.django_db
def test_a_fact_checker_pins_a_passage_from_the_ticket_page(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    (passage,) = researched(ticket)
    client.force_login(checker)
    response = client.post(
        page(ticket),
        {"action": "pin", "passage": passage.pk, "stance": "contradicts", "note": "2.0, not 4."},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.passage, evidence.stance) == (
        ticket.claim,
        passage,
        "contradicts",
    )
    assert evidence.pinned_by == checker and evidence.quote == passage.text
    ticket.refresh_from_db()
    assert ticket.stage == Stage.RESEARCHING, "pinning keeps the ticket's stage"
    assert ticket.version == 1, "but it is a change: a form opened before it is stale"
    event = ticket.events.get()
    assert (event.action, event.actor, event.note) == ("pin", checker, "2.0, not 4.")
    html = client.get(page(ticket)).content.decode()
    assert "Pinned as <strong>contradicts</strong>" in html


@pytest.mark.django_db
def test_someone_without_the_research_permission_cannot_pin(client):
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    (passage,) = researched(ticket)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(*_perms("reviews", "view_ticket"))
    client.force_login(viewer)
    response = client.post(
        page(ticket), {"action": "pin", "passage": passage.pk, "stance": "supports"}
    )
    assert response.status_code == 400
    assert "You cannot pin evidence" in response.content.decode()
    assert not Evidence.objects.exists()


def _perms(app, *codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label=app, codename__in=codenames)


@pytest.mark.django_db
def test_a_fact_checker_cites_a_url_from_the_ticket_page(
    client, checker, django_capture_on_commit_callbacks
):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    client.force_login(checker)
    with django_capture_on_commit_callbacks(execute=False) as scheduled:
        response = client.post(page(ticket), {"action": "cite", "url": "https://records.example/a"})
    assert response.status_code == 302
    citation = Citation.objects.get(claim=ticket.claim)
    assert citation.source.normalized_url == "https://records.example/a"
    assert citation.added_by == checker
    assert len(scheduled) == 1, "the source's fetch is queued once the citation commits"


@pytest.mark.django_db
def test_a_url_that_cannot_be_cited_is_refused_with_the_reason_and_kept(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    client.force_login(checker)
    response = client.post(page(ticket), {"action": "cite", "url": "javascript:alert(1)"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be cited" in html
    assert 'value="javascript:alert(1)"' in html
    assert not Citation.objects.exists()


@pytest.mark.django_db
def test_a_url_with_a_space_in_its_host_is_refused_as_not_a_valid_address(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    client.force_login(checker)

    response = client.post(page(ticket), {"action": "cite", "url": "http://exa mple.com/"})

    assert response.status_code == 400
    assert "not a valid address" in response.content.decode()
    assert not Citation.objects.exists()


@pytest.mark.django_db
def test_the_verdict_relies_on_the_evidence_ticked_in_its_form(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    first, second = researched(ticket, 2)
    client.force_login(checker)
    for passage in (first, second):
        client.post(page(ticket), {"action": "pin", "passage": passage.pk, "stance": "supports"})
    kept = Evidence.objects.get(passage=first)
    ticket.refresh_from_db()
    html = client.get(page(ticket)).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="evidence" value="(\d+)"[^>]*checked', html)
    assert sorted(map(int, ticked)) == sorted(Evidence.objects.values_list("pk", flat=True))
    response = client.post(
        page(ticket),
        {
            "action": "save_draft",
            "version": ticket.version,
            "rating": rating("mostly-false").pk,
            "summary": "The bridge cost about half as much.",
            "explanation": "The audit puts it at 2 million dollars.",
            "evidence": [kept.pk],
        },
    )
    assert response.status_code == 302
    revision = VerdictRevision.objects.get(verdict__ticket=ticket)
    assert [copy.pinned for copy in revision.evidence.all()] == [kept]


@pytest.mark.django_db
def test_the_ticket_page_runs_the_same_number_of_queries_however_much_research(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    for passage in researched(ticket, 1):
        client.post(page(ticket), {"action": "pin", "passage": passage.pk, "stance": "supports"})
    client.get(page(ticket))
    with CaptureQueriesContext(connection) as little:
        client.get(page(ticket))
    other = ticket_in(Stage.RESEARCHING, assignee=checker)
    for passage in researched(ticket, 6) + researched(other, 2):
        if passage.claim_id == ticket.claim_id:
            client.post(page(ticket), {"action": "pin", "passage": passage.pk, "stance": "context"})
    # Shows (and so clears) the pins' messages, kept in the session, as before `little`.
    client.get(page(ticket))
    with CaptureQueriesContext(connection) as much:
        response = client.get(page(ticket))
    assert len(response.context["research"].passages) == 7
    assert len(response.context["research"].evidence) == 7
    assert len(much) == len(little)
