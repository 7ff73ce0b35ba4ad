"""Route the readers' pages and feeds; the API links to /verdicts/<id>/ by that exact path."""

from django.urls import path

from reviews import feeds, views

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("articles/<slug:slug>/", views.article_page, name="article_page"),
    path("articles/<slug:slug>/verdicts.atom", feeds.article_atom, name="article_feed_atom"),
    path("articles/<slug:slug>/verdicts.rss", feeds.article_rss, name="article_feed_rss"),
    path("verdicts/<int:pk>/", views.verdict_page, name="verdict_page"),
    path("archive/<int:pk>/", views.archive_page, name="archive_page"),
    path("files/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("methodology/", views.methodology_page, name="methodology_page"),
    path("feeds/verdicts.atom", feeds.site_atom, name="feed_atom"),
    path("feeds/verdicts.rss", feeds.site_rss, name="feed_rss"),
    path("ratings.css", views.ratings_css, name="ratings_css"),
]
