"""`manage.py ingest` takes files, stdin and manifests, and reports bad input in one line."""

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article, Claim
from tests.services import REPO

SEED_MANIFEST = REPO / "seeds" / "manifest.json"


def ingest(*args, stdin: bytes | None = None, monkeypatch=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_seed_manifest_ingests_the_sample_pieces_and_opens_a_ticket_per_claim():
    out, _ = ingest(str(SEED_MANIFEST), "--format", "json")
    report = json.loads(out)
    assert report["failed"] == []
    first, second = report["ingested"]
    for summary in (first, second):
        assert summary["created"] is True
        assert summary["assertions"] >= summary["checkworthy"] > 0
        claims = Claim.objects.filter(article_id=summary["article"])
        assert claims.count() == summary["assertions"]
        assert claims.filter(ticket__isnull=True).count() == 0
    assert Article.objects.get(pk=first["article"]).title.startswith("OpenAI's Bedrock memo")
    second_article = Article.objects.get(pk=second["article"])
    assert second_article.title.startswith("Harbourview's tram line")
    assert second_article.body_format == Article.Format.MARKDOWN


@pytest.mark.django_db
def test_ingesting_the_seed_twice_says_so_and_creates_nothing():
    ingest(str(SEED_MANIFEST))
    claims_before = Claim.objects.count()
    out, _ = ingest(str(SEED_MANIFEST))
    assert "already ingested, nothing new" in out
    assert Article.objects.count() == 2
    assert Claim.objects.count() == claims_before


@pytest.mark.django_db
def test_a_piece_from_stdin_takes_its_metadata_from_the_options(monkeypatch):
    body = b"The bridge cost 40 million dollars in 2019. The mayor said so on Tuesday."
    out, _ = ingest(
        "-",
        "--title",
        "Bridge",
        "--author",
        "Columnist",
        "--url",
        "https://news.example/b",
        "--published-at",
        "2024-05-01",
        stdin=body,
        monkeypatch=monkeypatch,
    )
    article = Article.objects.get()
    assert (article.title, article.author, article.url) == (
        "Bridge",
        "Columnist",
        "https://news.example/b",
    )
    assert article.published_at.isoformat().startswith("2024-05-01")
    assert "<stdin>: ingested" in out


BAD_INPUTS = {
    "empty.txt": b"",
    "blank.txt": b"   \n\n\t ",
    "binary.txt": b"\x00\x01\x02PNG\x00\xff" * 100,
    "latin1.txt": "Caf\u00e9 prices rose by 20 percent in 2023.".encode("latin-1"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_unusable_input_gets_a_one_line_error_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
    [line] = err.getvalue().strip().splitlines()
    assert line.startswith(f"{path}: ")
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_bad_files_do_not_stop_the_good_ones_and_each_error_is_one_line(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("The library opened in 2021 with 40,000 books. Readers love it.")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00binary")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("ingest", str(good), str(bad), stdout=out, stderr=err)
    assert Article.objects.count() == 1
    [line] = err.getvalue().strip().splitlines()
    assert line.startswith(f"{bad}: ")
    assert "Traceback" not in err.getvalue()


@pytest.mark.django_db
def test_a_twenty_megabyte_file_is_handled_without_a_traceback(tmp_path):
    path = tmp_path / "huge.txt"
    paragraph = "The agency reported 3.5 million visitors in 2022, up from 2.1 million. "
    path.write_text((paragraph * 40 + "\n") * (20_000_000 // (len(paragraph) * 40)))
    err = io.StringIO()
    try:
        call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError:
        assert err.getvalue().startswith(f"{path}: ")
        assert not Article.objects.exists()
    else:
        article = Article.objects.get()
        assert article.claims.exists()


@pytest.mark.django_db
def test_html_full_of_scripts_styles_and_iframes_keeps_only_the_prose(tmp_path):
    path = tmp_path / "noisy.html"
    path.write_text(
        "<html><head><style>p{color:red}</style><script>var x = 'The moon is cheese.';</script>"
        "</head><body><iframe src='https://ads.example'></iframe>"
        "<p>The port handled 9 million containers in 2023.</p>"
        "<script>document.write('Injected claim of 99 percent.')</script></body></html>"
    )
    ingest(str(path))
    texts = list(Claim.objects.values_list("text", flat=True))
    assert any("9 million containers" in text for text in texts)
    assert not any("cheese" in text or "Injected" in text for text in texts)


# "The government approved a budget of 5 billion." in Hebrew, right to left.
HEBREW = "הממשלה אישרה תקציב של 5 מיליארד."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "no terminators at all just a long run of words about 40 percent of voters in 2020",
        "The committee "
        + "reviewed another budget line and " * 150
        + "approved 3 million dollars.",
        HEBREW + " Prices rose 7% in 2023 \U0001f4c8.",
    ],
    ids=["no-terminators", "five-thousand-character-sentence", "rtl-and-emoji"],
)
def test_awkward_prose_still_becomes_claims_with_exact_offsets(tmp_path, body):
    path = tmp_path / "piece.txt"
    path.write_text(body, encoding="utf-8")
    ingest(str(path))
    article = Article.objects.get()
    claims = list(article.claims.all())
    assert claims
    for claim in claims:
        assert article.plain_text[claim.start : claim.end] == claim.text


@pytest.mark.django_db
def test_a_manifest_that_is_not_json_is_refused_clearly(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{not json")
    with pytest.raises(CommandError, match="not a readable manifest"):
        ingest(str(manifest))


@pytest.mark.django_db
def test_an_empty_file_is_called_empty_and_named_once(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 piece"):
        call_command("ingest", str(path), stdout=out, stderr=err)
    assert err.getvalue() == f"{path}: the file is empty; there is nothing to ingest\n"
    assert "UTF-8" not in err.getvalue()


@pytest.mark.django_db
def test_each_summary_is_a_whole_line_of_its_own(tmp_path):
    paths = []
    for n in range(2):
        path = tmp_path / f"p{n}.txt"
        path.write_text(f"The port moved {n}.5 million containers in 2023.", encoding="utf-8")
        paths.append(str(path))
    out, _ = ingest(*paths)
    lines = out.splitlines(keepends=True)
    assert len(lines) == 2
    assert all(line.endswith("uncited attributions\n") for line in lines)
