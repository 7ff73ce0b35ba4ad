"""Build articles, claims and users for tests (factory_boy)."""

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.models import Article, Claim


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@desk.invalid")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """Put the user in the named role group: UserFactory(role="Editor")."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Opinion piece {n}")
    slug = factory.Sequence(lambda n: f"opinion-piece-{n}")
    author = "A. Columnist"
    publication = "The Test Gazette"
    url = factory.Sequence(lambda n: f"https://gazette.example/opinion/{n}")
    body = factory.Sequence(
        lambda n: (
            f"The council spent 4.{n} million dollars on the bridge in 2023. It feels wasteful."
        )
    )
    plain_text = factory.SelfAttribute("body")
    content_hash = factory.LazyAttribute(
        lambda a: hashlib.sha256(a.plain_text.encode()).hexdigest()
    )
    paragraph_count = 1
    sentence_count = 2


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim over the whole first sentence of its article unless told otherwise."""

    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    start = 0
    end = factory.LazyAttribute(
        lambda c: c.article.plain_text.find(".") + 1 or len(c.article.plain_text)
    )
    text = factory.LazyAttribute(lambda c: c.article.plain_text[c.start : c.end])
    paragraph = 0
    sentence = 0
    position = factory.Sequence(lambda n: n)
    score = 0.8
    checkworthy = True
    reasons = factory.LazyFunction(lambda: ["contains a figure: 4 million dollars"])
    claimant = factory.LazyAttribute(lambda c: c.article.author)
