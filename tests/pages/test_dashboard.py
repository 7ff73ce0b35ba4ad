"""The admin opens on the desk's dashboard, read in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Source
from reviews.models import Ticket
from reviews.workflow import Stage
from tests.factories import UserFactory
from tests.pages.factories import checked, piece
from tests.reviews.factories import ticket_in

INDEX = reverse("admin:index")


def failing_source(n: int) -> Source:
    url = f"https://gone.example/{n}"
    return Source.objects.create(
        url=url, normalized_url=url, state=Source.State.FAILED, state_reason="HTTP 410: gone"
    )


def desk(checker, n: int) -> None:
    """Give the desk `n` of everything the dashboard lists."""
    for i in range(n):
        ticket_in(Stage.RESEARCHING, assignee=checker)
        late = ticket_in(Stage.IN_REVIEW)
        Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
        checked(
            piece(f"Claim number {i} cost {i} dollars. More.", slug=f"p-{i}-{n}"),
            f"Claim number {i} cost {i} dollars.",
        )
        failing_source(i + 100 * n)


@pytest.mark.django_db
def test_the_dashboard_shows_stages_my_queue_overdue_published_and_failing_sources(client, checker):
    desk(checker, 2)
    new_ticket = ticket_in(Stage.NEW)
    client.force_login(checker)
    response = client.get(INDEX)
    html = response.content.decode()
    assert response.status_code == 200
    dash = response.context["dash"]
    counts = {item.stage.value: item.count for item in dash.stages}
    assert counts["researching"] == 2 and counts["in_review"] == 2 and counts["new"] == 1
    assert counts["published"] == 2 and counts["dismissed"] == 0
    assert dash.my_queue_total == 2 and dash.overdue_total == 2 and dash.failing_total == 2
    assert len(dash.published) == 2
    assert f'href="/admin/reviews/ticket/{new_ticket.pk}/change/"' not in html
    assert "?stage__exact=researching" in html
    assert "Claim number 1 cost 1 dollars." in html
    assert "https://gone.example/201" in html and "HTTP 410: gone" in html
    assert 'class="rating-badge rating-false"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Fact-checker", "Editor"])
def test_the_dashboard_runs_the_same_number_of_queries_however_busy_the_desk(client, role):
    person = UserFactory(username="busy", role=role)
    client.force_login(person)
    desk(person, 1)
    client.get(INDEX)
    with CaptureQueriesContext(connection) as quiet:
        client.get(INDEX)
    desk(person, 6)
    with CaptureQueriesContext(connection) as busy:
        response = client.get(INDEX)
    assert response.context["dash"].my_queue_total == 7
    assert len(busy) == len(quiet)


@pytest.mark.django_db
def test_someone_without_the_desks_roles_sees_no_dashboard(client):
    client.force_login(UserFactory(username="plain-staff"))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "desk-dashboard" not in response.content.decode()


@pytest.mark.django_db
def test_an_editor_sees_the_verdicts_awaiting_their_vote_but_not_their_own(client, editor):
    waiting = ticket_in(Stage.IN_REVIEW)
    ticket_in(Stage.IN_REVIEW, assignee=editor)
    client.force_login(editor)
    dash = client.get(INDEX).context["dash"]
    assert [ticket.pk for ticket in dash.to_review] == [waiting.pk]
    assert dash.to_review_total == 1


@pytest.mark.django_db
def test_a_fact_checker_has_no_vote_panel(client, checker):
    ticket_in(Stage.IN_REVIEW)
    client.force_login(checker)
    response = client.get(INDEX)
    assert response.context["dash"].to_review is None
    assert "Awaiting your vote" not in response.content.decode()


@pytest.mark.django_db
def test_the_failing_sources_count_and_its_link_show_the_same_sources(client, checker):
    failed = failing_source(1)
    retrying = Source.objects.create(
        url="https://slow.example/a",
        normalized_url="https://slow.example/a",
        state=Source.State.PENDING,
        attempts=2,
        state_reason="timed out; retrying",
    )
    Source.objects.create(
        url="https://fine.example/", normalized_url="https://fine.example/", state="fetched"
    )
    Source.objects.create(url="https://new.example/", normalized_url="https://new.example/")
    client.force_login(UserFactory(username="boss", is_superuser=True))
    dash = client.get(INDEX).context["dash"]
    assert dash.failing_total == 2
    listed = client.get(dash.links["failing"]).context["cl"].result_list
    assert {source.pk for source in listed} == {failed.pk, retrying.pk}
