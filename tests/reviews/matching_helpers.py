"""Switch claim matching on for a test, with a tiny encoder, and ingest pieces through the desk."""

import pytest

from reviews.services import article_receive
from reviews.tasks import match_claim, refresh_embeddings
from tests.claims.matching_fakes import WordHashEncoder


class EncoderSwitch:
    """The encoder the desk's matching uses; a test swaps it to simulate a model upgrade."""

    def __init__(self):
        self.encoder = WordHashEncoder()

    def __call__(self):
        return self.encoder


@pytest.fixture
def matching(settings, monkeypatch):
    """Enable matching with fixed thresholds and a word-hash encoder; run its jobs in-process."""
    settings.MATCHING_ENABLED = True
    settings.MATCHING_SUGGESTED_THRESHOLD = 0.4
    settings.MATCHING_CONFIRMED_THRESHOLD = 0.7
    switch = EncoderSwitch()
    monkeypatch.setattr("reviews.services.matching.current_encoder", switch)
    for task in (match_claim, refresh_embeddings):
        monkeypatch.setattr(task, "delay", lambda _task=task, **kw: _task.apply(kwargs=kw))
    return switch


def receive(django_capture_on_commit_callbacks, body: str, *, title: str, author: str = ""):
    """Ingest a piece as the desk does and run what it queues after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        result = article_receive(body=body, title=title, author=author)
    return result.article
