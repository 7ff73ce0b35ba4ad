"""Tests for `manage.py match_claims`: TREC and JSON output, and one-line errors on bad files."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

VERIFIED = (
    "\tvclaim\ttitle\n"
    "10\tUnemployment rose to 9 percent in Ohio last year.\tDid Ohio Unemployment Hit 9%?\n"
    '11\t"A ""miracle"" drink cures the flu,\nsays a viral post."\tDoes Hot Water Cure Flu?\n'
    "12\tThe mayor sold the city harbour to a private company.\tWas the Harbour Sold?\n"
)
QUERIES = (
    "tweet_id\ttweet_content\n"
    "1\tBREAKING: unemployment in Ohio rose to 9 percent https://t.co/x\n"
    "2\tviral post says a miracle drink cures the flu #health\n"
)


@pytest.fixture
def files(tmp_path):
    verified = tmp_path / "verified.tsv"
    queries = tmp_path / "queries.tsv"
    verified.write_text(VERIFIED, encoding="utf-8")
    queries.write_text(QUERIES, encoding="utf-8")
    return verified, queries


def run(*args) -> str:
    out = io.StringIO()
    call_command("match_claims", *args, stdout=out)
    return out.getvalue()


def test_trec_output_ranks_each_querys_verified_claim_first(files):
    verified, queries = files
    lines = run(
        "--verified", verified, "--queries", queries, "--mode", "lexical", "--top", "2"
    ).splitlines()
    assert len(lines) == 4
    fields = [line.split() for line in lines]
    assert [f[:4] for f in fields] == [
        ["1", "Q0", "10", "1"],
        ["1", "Q0", fields[1][2], "2"],
        ["2", "Q0", "11", "1"],
        ["2", "Q0", fields[3][2], "2"],
    ]
    assert all(f[5] == "factcheck-desk" for f in fields)
    assert float(fields[0][4]) > float(fields[1][4])


def test_jsonl_output_reads_quoted_fields_with_line_breaks(files):
    verified, queries = files
    records = [
        json.loads(line)
        for line in run(
            "--verified", verified, "--queries", queries, "--format", "jsonl", "--mode", "lexical"
        ).splitlines()
    ]
    assert [r["id"] for r in records] == ["1", "2"]
    assert next(m["id"] for m in records[1]["matches"]) == "11"
    assert len(records[0]["matches"]) == 3
    assert set(records[0]["matches"][0]) == {
        "id",
        "rank",
        "score",
        "dense",
        "lexical",
        "level",
        "conflicts",
    }


def test_the_dense_mode_runs_with_a_named_encoder(files):
    verified, queries = files
    lines = run("--verified", verified, "--queries", queries, "--encoder", "hashing", "--top", "1")
    assert [line.split()[2] for line in lines.splitlines()] == ["10", "11"]


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("verified", b"", "the file is empty"),
        ("verified", b"  \n", "the file is empty"),
        ("verified", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        ("verified", b"id\ttitle\n1\tx\n", "missing the text column"),
        ("queries", b"tweet_id\tauthor\n1\tx\n", "missing the text column"),
        ("queries", b"tweet_content\nhello\n", "no id column"),
        ("queries", b"tweet_id\ttweet_content\n", "a header but no rows"),
        ("queries", b"tweet_id\ttweet_content\n1\ta\n1\tb\n", "id '1' appears twice"),
        ("queries", "tweet_id\ttweet_content\n1\tcaf\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_files_get_a_one_line_error_naming_the_file(files, which, content, message):
    verified, queries = files
    target = verified if which == "verified" else queries
    target.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run("--verified", verified, "--queries", queries, "--mode", "lexical")
    text = str(error.value)
    assert "\n" not in text
    assert text.startswith(f"{target}: ")
    assert message in text


def test_a_missing_file_and_a_bad_top_are_one_line_errors(files, tmp_path):
    verified, queries = files
    with pytest.raises(CommandError, match=r"nowhere\.tsv: cannot read it \(No such file"):
        run("--verified", tmp_path / "nowhere.tsv", "--queries", queries, "--mode", "lexical")
    with pytest.raises(CommandError, match="--top must be at least 1"):
        run("--verified", verified, "--queries", queries, "--top", "0")
