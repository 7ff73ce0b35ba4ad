"""normalize_url gives one canonical spelling per source and refuses what cannot be fetched."""

from __future__ import annotations

import pytest

from claims.fetching import FetchError, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM/Story", "https://news.example.com/Story"),
        ("https://news.example.com:443/a", "https://news.example.com/a"),
        ("http://news.example.com:80/a", "http://news.example.com/a"),
        ("http://news.example.com:8080/a", "http://news.example.com:8080/a"),
        ("https://news.example.com", "https://news.example.com/"),
        ("https://news.example.com./a", "https://news.example.com/a"),
        ("https://news.example.com/a#comments", "https://news.example.com/a"),
        ("https://bücher.example/köln", "https://xn--bcher-kva.example/k%C3%B6ln"),
        ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
        ("https://news.example.com/a/./b/../c", "https://news.example.com/a/c"),
        (
            "https://news.example.com/a?utm_source=x&b=2&UTM_Medium=y&a=1&fbclid=z&gclid=q",
            "https://news.example.com/a?a=1&b=2",
        ),
        ("https://news.example.com/a?utm_campaign=only", "https://news.example.com/a"),
        ("https://news.example.com/a?q=a%20b&p=x+y", "https://news.example.com/a?p=x+y&q=a%20b"),
        ("https://news.example.com/a?flag&b=1", "https://news.example.com/a?b=1&flag"),
        ("https://news.example.com/a?b=1&&a=2&", "https://news.example.com/a?a=2&b=1"),
        ("  https://news.example.com/a  ", "https://news.example.com/a"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://[2606:2800:21F::1]:443/", "http://[2606:2800:21f::1]:443/"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_normalize_url_is_idempotent():
    url = "https://bücher.example:443/a/../b?z=1&utm_source=x&a=2#top"

    assert normalize_url(normalize_url(url)) == normalize_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "not a url",
        "news.example.com/story",
        "//news.example.com/story",
        "ftp://news.example.com/file",
        "javascript:alert(1)",
        "mailto:desk@example.com",
        "file:///etc/passwd",
        "http://",
        "http:///path",
        "http://user:secret@news.example.com/",
        "http://news.example.com:99999/",
        "http://news.example.com/a\nb",
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://0x100000000/",
        "http://1.2.3.0400/",
        "http://exa mple.com/",
        "http://exa%20mple.com/",
        "http://news\u3000example.com/",
        "http://news.exa<mple.com/",
    ],
)
def test_normalize_url_refuses_bad_urls(url):
    with pytest.raises(FetchError) as caught:
        normalize_url(url)

    assert (caught.value.reason, caught.value.permanent) == ("bad_url", True)
