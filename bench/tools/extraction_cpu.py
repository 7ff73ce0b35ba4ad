"""CPU time of extraction only (load, one piece, batched), for side-by-side before/after runs.

Run from the repository root: .venv/bin/python bench/tools/extraction_cpu.py LABEL
Start it in two checkouts at the same time, so both meet the same machine load; each figure is
the minimum process CPU time over several runs, the least disturbed by other processes.
"""

import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path.cwd()
sys.path[:0] = [str(REPO), str(REPO / "bench")]

cpu_start, wall_start = time.process_time(), time.perf_counter()
from claims.extraction import extract, pipeline, score_sentence  # noqa: E402

score_sentence("The council met on Tuesday.")
load_cpu, load_wall = time.process_time() - cpu_start, time.perf_counter() - wall_start

from extraction import PARAGRAPHS, article, rss_mb  # noqa: E402

from claims.extraction.training import DEV_PATH, load_tsv  # noqa: E402


def cpu(function, runs: int) -> tuple[float, float]:
    """Return the minimum and the median CPU seconds of function() over runs."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "run"
    body = article(1_000)
    words = len(body.split())
    distinct = "\n\n".join(PARAGRAPHS)
    distinct_words = len(distinct.split())
    dev, _ = load_tsv(DEV_PATH)
    dev_words = sum(len(text.split()) for text in dev)
    piece = cpu(lambda: extract(body), 7)
    once = cpu(lambda: extract(distinct), 7)
    batched = cpu(lambda: pipeline.score_sentences(dev), 2)
    print(
        f"{label}: load {load_cpu * 1000:.0f} ms CPU ({load_wall * 1000:.0f} wall) | "
        f"RSS {rss_mb():.0f} MB | per 1,000 words, min/median ms CPU: "
        f"article {piece[0] * 1e6 / words:.0f}/{piece[1] * 1e6 / words:.0f}, "
        f"no repeats {once[0] * 1e6 / distinct_words:.0f}/{once[1] * 1e6 / distinct_words:.0f}, "
        f"dev batched {batched[0] * 1e6 / dev_words:.0f}/{batched[1] * 1e6 / dev_words:.0f} | "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
