"""Measure claim extraction: speed per 1,000-word article, throughput, and label quality."""

# Run: .venv/bin/python bench/extraction.py [--runs 50]
# The article is built from paragraphs written for this benchmark, never from published pieces.

import argparse
import csv
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from claims.extraction import extract, score_sentence  # noqa: E402
from claims.extraction.model import ARTIFACT_PATH, load_model  # noqa: E402
from claims.extraction.training import (  # noqa: E402
    DEV_PATH,
    Scores,
    load_tsv,
    precision_recall_f1,
)

PROSE = REPO / "tests" / "claims" / "data" / "opinion_prose.tsv"
INVARIANCE = REPO / "tests" / "claims" / "data" / "quote_invariance.tsv"
SAMPLE = REPO / "seeds" / "openai-microsoft-bedrock-opinion.txt"

PARAGRAPHS = [
    "The harbour board approved a 48 million dollar dredging contract on Tuesday, and the "
    "chair told reporters the work would start before the autumn storms. Critics on the "
    "council called the timetable “wildly optimistic.” The last dredging project, in 2017, "
    "ran fourteen months late.",
    "It is hard to read the board’s statement without wincing. The language is soothing, the "
    "numbers are vague, and the promise of “minimal disruption” sounds like something written "
    "by people who have never tried to sell fish at the quay on a Monday morning.",
    "According to the port’s own annual report, cargo volumes fell 6.2 percent last year, "
    "the third decline in a row. Container traffic moved to the deep-water terminal up the "
    "coast, which opened in 2019 with three times the berth length.",
    "Nobody should pretend this is a surprise. The warning signs were there for anyone who "
    "cared to look, and plenty of people did look; they simply chose to hope the problem would "
    "solve itself. Hope is not a dredging strategy.",
    "Dr. Amara Okafor, who led the 2021 environmental review, said the sediment contains "
    "elevated levels of copper and zinc. Her team recommended a two-stage disposal plan that "
    "the board rejected in March as too expensive, at roughly nine million dollars.",
    "Is the board simply out of ideas? Perhaps. Or perhaps it has decided that any activity "
    "looks better than none in an election year, which would be a cynical but familiar "
    "calculation for a body that has never faced a serious challenge at the ballot box.",
    "The mayor’s office confirmed that the city will borrow 30 million dollars of the total "
    "and that the remainder comes from a regional development fund. Repayments are scheduled "
    "over twenty years at a fixed rate of 3.1 percent.",
    "Fishermen I spoke to were blunt. One of them, a third-generation skipper, put it simply: "
    "“They dredge the channel, then they raise the fees, then we leave.” It was not a "
    "complaint so much as a forecast, and it was delivered with a shrug.",
    "The board has hired a consultancy from the capital, paid 1.2 million dollars so far, and "
    "published none of its reports. Freedom-of-information requests filed in January are still "
    "awaiting an answer, and the deadline for a reply passed in April.",
    "Harbours are strange places: half industry, half postcard. The tourists photograph the "
    "painted boats and never see the diesel bills, the insurance letters, or the slow arithmetic "
    "that decides whether a family keeps fishing or sells the licence.",
    "In 2015 the town had forty-two registered fishing vessels; today it has seventeen, "
    "according to the maritime registry. Over the same period the marina added 140 berths for "
    "leisure craft, most of them owned by people who live elsewhere.",
    "There is a better way to do this, and it starts with admitting what the harbour is for. "
    "If it is a marina with a fish market attached, say so. If it is a working port, spend the "
    "money on the quays and the ice plant, not on a channel deep enough for ships that no "
    "longer come.",
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, nproc={cores}, Python {platform.python_version()}, {platform.system()}"


def article(min_words: int) -> str:
    """Return whole paragraphs, cycling through PARAGRAPHS, until min_words is reached."""
    chosen, words, index = [], 0, 0
    while words < min_words:
        paragraph = PARAGRAPHS[index % len(PARAGRAPHS)]
        chosen.append(paragraph)
        words += len(paragraph.split())
        index += 1
    return "\n\n".join(chosen)


def timed(body: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        extract(body)
        times.append(time.perf_counter() - start)
    return times


def cpu_timed(function, runs: int) -> tuple[float, float]:
    """Return the median wall and median CPU seconds of function() over runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def rss_mb() -> float:
    """Return this process's resident memory now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def score_many(texts: list[str]) -> list[float]:
    """Score sentences the way `extract_claims --lines` does: in one batch where supported."""
    from claims.extraction import pipeline

    if hasattr(pipeline, "score_sentences"):
        return [score for score, _ in pipeline.score_sentences(texts)]
    return [score_sentence(text)[0] for text in texts]


def quote_invariance() -> tuple[int, int]:
    """Return (decisions that differ from the plain form, decisions compared)."""
    from claims.extraction import CHECKWORTHY_THRESHOLD

    with open(INVARIANCE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    forms = ("plain", "quoted", "attributed")
    scores = score_many([row[form] for row in rows for form in forms])
    flips = compared = 0
    for index in range(len(rows)):
        plain, *others = scores[index * 3 : index * 3 + 3]
        for other in others:
            compared += 1
            flips += (plain >= CHECKWORTHY_THRESHOLD) != (other >= CHECKWORTHY_THRESHOLD)
    return flips, compared


def label_scores(texts: list[str], labels: list[int], score) -> Scores:
    return precision_recall_f1([score(text) for text in texts], labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs

    print(f"machine: {machine()}")
    print(f"load average at the start: {load_average()}")
    before = rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    model = load_model(ARTIFACT_PATH)
    score_sentence("The council met on Tuesday.")  # loads whatever the model needs
    network = getattr(model, "network", None)
    print(
        "model: TF-IDF"
        + (f" + encoder {model.encoder.model_id}" if model.encoder is not None else "")
        + (f" + network {network.file} ({network.sha256[:12]})" if network is not None else "")
    )
    print(
        f"model load (once per process, up to the first score): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms wall, "
        f"{(time.process_time() - start_cpu) * 1000:.0f} ms CPU; "
        f"memory {before:.0f} MB before, {rss_mb():.0f} MB with the model loaded"
    )

    body = article(1_000)
    words = len(body.split())
    extraction = extract(body)
    times = timed(body, runs)
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"1,000-word article ({words} words, {len(body)} chars, {extraction.sentences} sentences, "
        f"{len(extraction.assertions)} assertions): median {median * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, per 1,000 words {median * 1000 * 1000 / words:.1f} ms "
        f"({runs} runs)"
    )
    for fmt, wrapped in (
        ("html", "".join(f"<p>{p}</p>" for p in body.split("\n\n"))),
        ("markdown", body.replace("Dr. Amara Okafor", "**Dr. Amara Okafor**")),
    ):
        median_fmt = statistics.median(timed(wrapped, max(runs // 5, 3)))
        print(f"  same article as {fmt}: median {median_fmt * 1000:.1f} ms")

    wall, cpu = cpu_timed(lambda: extract(body), max(runs // 5, 3))
    print(
        f"  one piece, per 1,000 words: {wall * 1e6 / words:.0f} ms wall, "
        f"{cpu * 1e6 / words:.0f} ms CPU"
    )
    # The article above repeats paragraphs to reach 1,000 words; this piece has every
    # sentence once, so nothing is saved by scoring a repeated sentence once.
    distinct = "\n\n".join(PARAGRAPHS)
    distinct_words = len(distinct.split())
    wall, cpu = cpu_timed(lambda: extract(distinct), max(runs // 5, 3))
    print(
        f"  one piece with no repeated sentence ({distinct_words} words), per 1,000 words: "
        f"{wall * 1e6 / distinct_words:.0f} ms wall, {cpu * 1e6 / distinct_words:.0f} ms CPU"
    )
    dev_texts, dev_labels = load_tsv(DEV_PATH)
    dev_words = sum(len(text.split()) for text in dev_texts)
    wall, cpu = cpu_timed(lambda: score_many(dev_texts), 3)
    print(
        f"  batched ({len(dev_texts):,} dev sentences, {dev_words:,} words, scored as "
        f"`extract_claims --lines` does), per 1,000 words: {wall * 1e6 / dev_words:.0f} ms wall, "
        f"{cpu * 1e6 / dev_words:.0f} ms CPU"
    )

    long_body = article(100_000)
    long_words = len(long_body.split())
    long_times = timed(long_body, 3)
    print(
        f"throughput on a {long_words:,}-word document: "
        f"{long_words / statistics.median(long_times):,.0f} words/s"
    )

    print(
        "dev set, final score:    ",
        label_scores(dev_texts, dev_labels, lambda text: score_sentence(text)[0]),
    )
    print(
        "dev set, model alone:    ",
        label_scores(dev_texts, dev_labels, model.probability),
    )
    with open(PROSE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    print(
        "own opinion-prose sample:",
        label_scores(
            [row["text"] for row in rows],
            [int(row["checkworthy"] == "Yes") for row in rows],
            lambda text: score_sentence(text)[0],
        ),
    )

    flips, compared = quote_invariance()
    print(
        f"quote/attribution invariance: {flips} of {compared} decisions differ from the plain "
        f"form ({flips / compared:.1%})"
    )
    print(
        f"peak memory (max RSS of this process): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )

    print(f"load average at the end: {load_average()}")

    sample = extract(SAMPLE.read_text(encoding="utf-8"))
    ranked = sorted(sample.assertions, key=lambda a: -a.score)
    print(
        f"sample piece: {len(sample.assertions)} assertions, "
        f"{sum(a.checkworthy for a in sample.assertions)} check-worthy; top 10:"
    )
    for assertion in ranked[:10]:
        print(f"  {assertion.score:.3f}  {assertion.text[:90]}")


if __name__ == "__main__":
    main()
