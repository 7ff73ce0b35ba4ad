"""The feeds carry every publication, correction and retraction, and nothing unpublished."""

import html
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Verdict, VerdictRevision
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = "The bridge cost 4 million dollars. Wages doubled since 2010. Taxes fell by half."


def atom_entries(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed, not untrusted input
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def corrected(ticket, editor):
    services.verdict_submit(ticket=ticket, by=ticket.assignee)
    ticket.refresh_from_db()
    services.vote_cast(ticket=ticket, by=editor, approve=True)
    ticket.refresh_from_db()
    services.verdict_publish(ticket=ticket, by=editor, correction_note="It was 2.3 million.")


@pytest.mark.django_db
def test_the_site_feed_has_an_entry_per_public_change_and_none_for_drafts(client, editor):
    article = piece(TEXT)
    bridge = checked(article, "The bridge cost 4 million dollars.", Stage.CORRECTING)
    corrected(bridge, editor)
    wages = checked(article, "Wages doubled since 2010.", Stage.RETRACTED, rated="true")
    checked(article, "Taxes fell by half.", Stage.IN_REVIEW)
    entries = atom_entries(client, reverse("feed_atom"))
    assert [entry["title"] for entry in entries] == [
        "Retracted: “Wages doubled since 2010.”",
        "True: “Wages doubled since 2010.”",
        "Corrected, now Mostly false: “The bridge cost 4 million dollars.”",
        "False: “The bridge cost 4 million dollars.”",
    ]
    assert len({entry["id"] for entry in entries}) == 4
    bridge_url = f"/verdicts/{verdict_of(bridge).pk}/"
    assert any(entry["link"].endswith(bridge_url + "#correction-1") for entry in entries)
    assert any("It was 2.3 million." in (entry["summary"] or "") for entry in entries)
    assert any(
        entry["link"].endswith(f"/verdicts/{verdict_of(wages).pk}/#retraction") for entry in entries
    )


@pytest.mark.django_db
def test_the_rss_feed_lists_the_same_changes(client):
    checked(piece(TEXT), "The bridge cost 4 million dollars.")
    response = client.get(reverse("feed_rss"))
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    (item,) = channel.findall("item")
    assert item.findtext("title") == "False: “The bridge cost 4 million dollars.”"
    assert item.find("guid").get("isPermaLink") == "false"


@pytest.mark.django_db
def test_an_article_feed_has_only_that_articles_verdicts(client):
    mine = piece(TEXT, slug="mine")
    other = piece("Crime rose by 12 percent last year. It was cold.", slug="other")
    checked(mine, "Wages doubled since 2010.")
    checked(other, "Crime rose by 12 percent last year.")
    titles = [e["title"] for e in atom_entries(client, reverse("article_feed_atom", args=["mine"]))]
    assert titles == ["False: “Wages doubled since 2010.”"]
    rss = client.get(reverse("article_feed_rss", args=["mine"]))
    assert b"Wages doubled" in rss.content and b"Crime rose" not in rss.content


@pytest.mark.django_db
def test_an_article_feed_is_not_found_while_nothing_on_it_is_public(client):
    article = piece(TEXT, slug="quiet")
    checked(article, "Wages doubled since 2010.", Stage.APPROVED)
    assert client.get(reverse("article_feed_atom", args=["quiet"])).status_code == 404


@pytest.mark.django_db
def test_the_feed_answers_a_repeat_with_not_modified(client):
    checked(piece(TEXT), "The bridge cost 4 million dollars.")
    first = client.get(reverse("feed_atom"))
    assert first["Last-Modified"] and first["ETag"]
    assert client.get(reverse("feed_atom"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


PLAIN = 'Rates fell <b>sharply</b> & "fast" <script>alert(1)</script>'


def shown_by_a_reader(element) -> str:
    """Return what a feed reader shows for `element`: HTML is decoded, text is shown as is."""
    if element.get("type", "html" if element.tag == "description" else "text") == "html":
        assert "<" not in element.text, "markup in a plain-text field would be rendered"
        return html.unescape(element.text)
    return element.text


@pytest.mark.django_db
def test_plain_text_summaries_and_reasons_are_shown_as_text_not_markup(client):
    article = piece(TEXT)
    ticket = checked(article, "Wages doubled since 2010.", Stage.RETRACTED)
    VerdictRevision.objects.filter(verdict__ticket=ticket).update(summary=PLAIN)
    Verdict.objects.filter(ticket=ticket).update(retraction_reason=f"Retracted: {PLAIN}")

    atom = ET.fromstring(client.get(reverse("feed_atom")).content)  # noqa: S314
    rss = ET.fromstring(client.get(reverse("feed_rss")).content)  # noqa: S314

    # RSS descriptions are HTML to every reader; the channel's own comes first.
    for shown in (
        [shown_by_a_reader(summary) for summary in atom.iter(f"{ATOM}summary")],
        [shown_by_a_reader(item.find("description")) for item in rss.iter("item")],
    ):
        assert PLAIN in shown
        assert any(text.endswith(f"Retracted: {PLAIN}") for text in shown)
