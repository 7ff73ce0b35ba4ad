"""Text on every rating colour stays readable (WCAG AA); the generated CSS holds no surprises."""

from types import SimpleNamespace

import pytest

from reviews.colours import (
    contrast,
    luminance,
    rating_badge,
    scale_stylesheet,
    text_colour,
    tint,
)
from reviews.models import Rating

AA_BODY_TEXT = 4.5


def test_contrast_matches_the_wcag_extremes():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert luminance("#ffffff") == pytest.approx(1)


@pytest.mark.parametrize(
    "colour",
    ["#c99a06", "#d9661f", "#5a9e2f", "#1b7f3b", "#c0392b", "#8e44ad", "#777777", "#ffff00"],
)
def test_the_chosen_text_colour_reaches_aa_on_any_background(colour):
    assert contrast(text_colour(colour), colour) >= AA_BODY_TEXT
    assert contrast(text_colour(tint(colour)), tint(colour)) >= AA_BODY_TEXT


@pytest.mark.django_db
def test_every_rating_of_the_seeded_scale_gets_readable_badges_and_highlights():
    css = scale_stylesheet(Rating.objects.order_by("order"))
    for rating in Rating.objects.all():
        badge_text = text_colour(rating.colour)
        assert f".rating-badge.rating-{rating.slug} {{ background-color: {rating.colour}; " in css
        assert f"color: {badge_text}; }}" in css
        assert contrast(badge_text, rating.colour) >= AA_BODY_TEXT


def test_a_rating_with_an_odd_slug_or_colour_is_left_out_of_the_css():
    ratings = [
        SimpleNamespace(slug="fine", colour="#123456"),
        SimpleNamespace(slug="x} body { display: none", colour="#123456"),
        SimpleNamespace(slug="red", colour="red; background: url(x)"),
    ]
    css = scale_stylesheet(ratings)
    assert "rating-fine" in css
    assert "display: none" not in css and "url(" not in css


def test_one_rating_badge_serves_pages_and_admin_escaped():
    class Rated:
        slug = "half-true"
        label = "Half <true>"

    assert rating_badge(Rated()) == (
        '<span class="rating-badge rating-half-true">Half &lt;true&gt;</span>'
    )
    assert rating_badge(Rated(), retracted=True) == (
        '<span class="rating-badge rating-retracted">Retracted</span>'
    )
    assert rating_badge(None) == "—"
