"""Measure claim matching: ranking quality, thresholds' precision, latency and memory."""

# Run: .venv/bin/python bench/matching.py [--encoder NAME] [--folds 5] [--write-calibration]
#      [--sizes 10000,100000,1000000] [--skip-latency]
#      [--lexical-drift]   (ranking with fact-checks added to a built TF-IDF index, not rebuilt)
#      [--jobs 10000,100000]   (matching jobs through the desk's service and a database:
#      the first job in a process against later ones; DATABASE_URL, default a SQLite file)
# Data: ../shared/data/claim-matching/clef2020-task2 (CheckThat! 2020 Task 2), read in place.
# Everything tuned (fusion weight, thresholds) is chosen by cross-validation on train only;
# dev is scored once with what train chose.

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from claims.matching import (  # noqa: E402
    LexicalIndex,
    Matcher,
    clean,
    conflicts,
    evaluate,
    read_queries,
    read_verified,
    top_k,
)
from claims.matching.calibration import CALIBRATION_PATH  # noqa: E402

DATA = Path(os.environ.get("MATCHING_DATA", REPO.parent / "shared/data/claim-matching"))
TASK = DATA / "clef2020-task2"
WEIGHTS = [round(w, 2) for w in np.arange(0.0, 1.0001, 0.05)]
CACHE = REPO / "var" / "bench-matching"


def load_qrels(path: Path) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            query, _, doc, relevance = line.split()
            if int(relevance) > 0:
                qrels.setdefault(query, set()).add(doc)
    return qrels


def document_text(row) -> str:
    """What a stored fact-check is matched on: its claim and its headline."""
    return f"{row.text} {row.title}".strip()


def encode_cached(encoder, texts: list[str], name: str) -> np.ndarray:
    """Embed texts once per model; later runs read the vectors from var/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{encoder.model_id.replace('/', '_')}-{name}-{len(texts)}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.encode([clean(text) for text in texts])
    np.save(path, vectors)
    return vectors


def rankings_from(scores: np.ndarray, query_ids, doc_ids, k: int = 5) -> dict[str, list[str]]:
    return {
        query: [doc_ids[i] for i in top_k(scores[row], k)] for row, query in enumerate(query_ids)
    }


def fused(dense, lexical, weight):
    if dense is None:
        return lexical
    return weight * dense + (1 - weight) * lexical


def folds_of(n: int, folds: int, seed: int = 14) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::folds] for i in range(folds)]


def best_weight(dense, lexical, query_ids, doc_ids, qrels, rows) -> float:
    ids = [query_ids[r] for r in rows]
    sub_qrels = {q: qrels[q] for q in ids}
    best = (-1.0, 0.0)
    for weight in WEIGHTS:
        scores = fused(dense[rows], lexical[rows], weight)
        value = evaluate(rankings_from(scores, ids, doc_ids), sub_qrels)["MAP@5"]
        if value > best[0] + 1e-9:
            best = (value, weight)
    return best[1]


def top1_records(scores, query_ids, query_texts, doc_ids, doc_texts, qrels):
    """Per query: the top-1 score, its lead over the runner-up, and whether it is right, with
    and without its true match in the index.

    The second record removes the relevant fact-check from the index, as if the claim had never
    been checked. It is a lower bound: Snopes often has several fact-checks of one claim and
    the qrels name one, so a sibling found then counts as wrong.
    """
    records = []
    index_of = {doc: i for i, doc in enumerate(doc_ids)}
    for row, query in enumerate(query_ids):
        line = scores[row].copy()
        for present in (True, False):
            if not present:
                for doc in qrels[query]:
                    line[index_of[doc]] = -np.inf
            best, second = top_k(line, 2)
            records.append(
                {
                    "score": float(line[best]),
                    "lead": float(line[best] - line[second]),
                    "correct": doc_ids[best] in qrels[query],
                    "consistent": not conflicts(query_texts[row], doc_texts[best]),
                    "present": present,
                }
            )
    return records


def precision_at(records, threshold, margin=0.0, *, check=True, open_world=True):
    """Return (precision, recall, count) of top-1 matches called confirmed."""
    chosen = [
        r
        for r in records
        if r["score"] >= threshold
        and r["lead"] >= margin
        and (r["consistent"] or not check)
        and (open_world or r["present"])
    ]
    correct = sum(r["correct"] for r in chosen)
    matches = sum(1 for r in records if r["present"])
    return (correct / len(chosen) if chosen else 1.0), correct / max(matches, 1), len(chosen)


MARGINS = [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15]


def choose_thresholds(records, *, target=0.97, suggested_recall=0.95):
    """Return (suggested, confirmed, margin).

    Confirmed: the (score, lead) pair with the highest recall whose precision, where every
    query's match is in the index, reaches `target` on at least 20 matches. Suggested: the score
    that keeps `suggested_recall` of the true top-1 matches.
    """
    best = (-1.0, 1.0, 0.0)
    for margin in MARGINS:
        for threshold in np.arange(0.30, 0.951, 0.01):
            precision, recall, count = precision_at(records, threshold, margin, open_world=False)
            if count >= 20 and precision >= target and recall > best[0]:
                best = (recall, round(float(threshold), 2), margin)
    _, confirmed, margin = best
    true_scores = sorted(r["score"] for r in records if r["present"] and r["correct"])
    suggested = true_scores[int((1 - suggested_recall) * len(true_scores))] if true_scores else 0
    return round(min(suggested, confirmed), 3), confirmed, margin


def quality(args, encoder):
    verified = read_verified(str(TASK / "verified_claims.docs.tsv"))
    doc_ids = [row.id for row in verified]
    doc_texts = [document_text(row) for row in verified]
    splits = {}
    for split in ("train", "dev"):
        queries = read_queries(str(TASK / split / "tweets.queries.tsv"))
        qrels = load_qrels(TASK / split / "tweet-vclaim-pairs.qrels")
        queries = [q for q in queries if q.id in qrels]
        splits[split] = (queries, qrels)

    started = time.perf_counter()
    lexical_index = LexicalIndex(doc_texts)
    lexical_build = time.perf_counter() - started
    doc_vectors = None
    if encoder is not None:
        started = time.perf_counter()
        doc_vectors = encode_cached(encoder, doc_texts, "clef2020-docs")
        print(f"embedded {len(doc_texts)} fact-checks in {time.perf_counter() - started:.1f} s")
    print(f"lexical index over {len(doc_texts)} fact-checks built in {lexical_build:.2f} s")

    scores = {}
    for split, (queries, _) in splits.items():
        texts = [q.text for q in queries]
        lexical = lexical_index.scores(texts)
        dense = None
        if encoder is not None:
            dense = encode_cached(encoder, texts, f"clef2020-{split}") @ doc_vectors.T
        scores[split] = (dense, lexical)

    report = {"modes": {}, "folds": args.folds}
    train_queries, train_qrels = splits["train"]
    train_ids = [q.id for q in train_queries]
    train_texts = [q.text for q in train_queries]
    dense, lexical = scores["train"]
    fold_rows = folds_of(len(train_ids), args.folds)
    modes = ["lexical"] + (["dense", "fused"] if encoder is not None else [])
    oof = np.zeros_like(lexical)
    chosen_weights = []
    per_fold: dict[str, list[float]] = {mode: [] for mode in modes}
    for held in fold_rows:
        tune = np.setdiff1d(np.arange(len(train_ids)), held)
        weight = (
            best_weight(dense, lexical, train_ids, doc_ids, train_qrels, tune)
            if encoder is not None
            else 0.0
        )
        chosen_weights.append(weight)
        held_ids = [train_ids[r] for r in held]
        held_qrels = {q: train_qrels[q] for q in held_ids}
        for mode in modes:
            w = {"lexical": 0.0, "dense": 1.0, "fused": weight}[mode]
            fold_scores = fused(None if dense is None else dense[held], lexical[held], w)
            per_fold[mode].append(
                evaluate(rankings_from(fold_scores, held_ids, doc_ids), held_qrels)["MAP@5"]
            )
            if mode == modes[-1]:
                oof[held] = fold_scores
    weight = (
        best_weight(dense, lexical, train_ids, doc_ids, train_qrels, np.arange(len(train_ids)))
        if encoder is not None
        else 0.0
    )
    report["fusion_weight"] = weight
    report["fold_weights"] = chosen_weights
    for mode in modes:
        w = {"lexical": 0.0, "dense": 1.0, "fused": weight}[mode]
        train_cv = {}
        # Cross-validated train figures: each fold scored with the weight its other folds chose.
        rows_scores = np.zeros_like(lexical)
        for held, fold_weight in zip(fold_rows, chosen_weights, strict=True):
            fw = {"lexical": 0.0, "dense": 1.0, "fused": fold_weight}[mode]
            rows_scores[held] = fused(None if dense is None else dense[held], lexical[held], fw)
        train_cv = evaluate(rankings_from(rows_scores, train_ids, doc_ids, 50), train_qrels)
        dev_queries, dev_qrels = splits["dev"]
        dev_dense, dev_lexical = scores["dev"]
        dev_scores = fused(dev_dense, dev_lexical, w)
        dev = evaluate(
            rankings_from(dev_scores, [q.id for q in dev_queries], doc_ids, 50), dev_qrels
        )
        spread = statistics.pstdev(per_fold[mode]) if len(per_fold[mode]) > 1 else 0.0
        report["modes"][mode] = {"train_cv": train_cv, "fold_map_sd": round(spread, 4), "dev": dev}

    # Fusion only if it helps: beat dense by more than the folds' spread.
    shipped = "lexical"
    if encoder is not None:
        gain = (
            report["modes"]["fused"]["train_cv"]["MAP@5"]
            - report["modes"]["dense"]["train_cv"]["MAP@5"]
        )
        shipped = "fused" if gain > report["modes"]["dense"]["fold_map_sd"] / 2 else "dense"
    report["shipped_mode"] = shipped
    shipped_weight = {"lexical": 0.0, "dense": 1.0, "fused": weight}[shipped]

    # Thresholds from out-of-fold train scores of the shipped mode.
    oof_scores = np.zeros_like(lexical)
    for held, fold_weight in zip(fold_rows, chosen_weights, strict=True):
        fw = {"lexical": 0.0, "dense": 1.0, "fused": fold_weight}[shipped]
        oof_scores[held] = fused(None if dense is None else dense[held], lexical[held], fw)
    train_records = top1_records(
        oof_scores, train_ids, train_texts, doc_ids, doc_texts, train_qrels
    )
    suggested, confirmed, margin = choose_thresholds(train_records)
    dev_queries, dev_qrels = splits["dev"]
    dev_dense, dev_lexical = scores["dev"]
    dev_records = top1_records(
        fused(dev_dense, dev_lexical, shipped_weight),
        [q.id for q in dev_queries],
        [q.text for q in dev_queries],
        doc_ids,
        doc_texts,
        dev_qrels,
    )
    thresholds = {"suggested": suggested, "confirmed": confirmed, "margin": margin}
    for name, records in (("train_oof", train_records), ("dev", dev_records)):
        closed = precision_at(records, confirmed, margin, open_world=False)
        closed_unchecked = precision_at(records, confirmed, margin, check=False, open_world=False)
        opened = precision_at(records, confirmed, margin)
        suggested_stats = precision_at(records, suggested, check=False, open_world=False)
        thresholds[name] = {
            "confirmed_precision": round(closed[0], 4),
            "confirmed_recall": round(closed[1], 4),
            "confirmed_count": closed[2],
            "confirmed_precision_without_number_negation_check": round(closed_unchecked[0], 4),
            "confirmed_count_without_check": closed_unchecked[2],
            "confirmed_precision_open_world_lower_bound": round(opened[0], 4),
            "suggested_precision": round(suggested_stats[0], 4),
            "suggested_recall": round(suggested_stats[1], 4),
        }
    report["thresholds"] = thresholds
    report["model_id"] = encoder.model_id if encoder is not None else None
    return report


def stored_vectors(size: int, base: np.ndarray | None, dim: int, rng) -> np.ndarray:
    """Return `size` unit vectors: the data set's fact-check embeddings and, beyond them,
    perturbed copies (cosine about 0.85 to their original, like paraphrases), so the synthetic
    store clusters as real embeddings do; random unit vectors when there is no encoder."""
    if base is None:
        vectors = rng.standard_normal((size, dim), dtype=np.float32)
    else:
        vectors = base[np.arange(size) % len(base)].copy()
        extra = np.arange(size) >= len(base)
        vectors[extra] += 0.03 * rng.standard_normal((int(extra.sum()), dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def latency(args, encoder):
    """Time one match against stored vectors, exact and approximate side by side."""
    from claims.matching.dense import EXACT_LIMIT, ApproximateIndex, DenseIndex

    dim = encoder.dim if encoder is not None else 384
    rng = np.random.default_rng(14)
    verified = read_verified(str(TASK / "verified_claims.docs.tsv"))
    texts = [document_text(row) for row in verified]
    queries = [q.text for q in read_queries(str(TASK / "train" / "tweets.queries.tsv"))][:100]
    results = {"exact_limit": EXACT_LIMIT}
    base = None
    if encoder is not None:
        timings = []
        query_vectors = []
        for query in queries:
            started = time.perf_counter()
            query_vectors.append(encoder.encode([clean(query)])[0])
            timings.append((time.perf_counter() - started) * 1000)
        results["encode_one_query_ms"] = percentiles(timings)
        query_vectors = np.asarray(query_vectors, dtype=np.float32)
        base = encode_cached(encoder, texts, "clef2020-docs")
    else:
        query_vectors = rng.standard_normal((len(queries), dim), dtype=np.float32)
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    for size in args.sizes:
        vectors = stored_vectors(size, base, dim, rng)
        row = {"load": round(os.getloadavg()[0], 1)}
        exact = DenseIndex(vectors)
        row["exact_dense"] = percentiles(
            timed(lambda i, e=exact: top_k(e.scores(query_vectors[i : i + 1])[0], 5), len(queries))
        )
        started = time.perf_counter()
        approximate = ApproximateIndex(vectors)
        row["approximate_build_s"] = round(time.perf_counter() - started, 1)
        row["approximate_dense"] = percentiles(
            timed(lambda i, a=approximate: a.candidates(query_vectors[i : i + 1], 50), len(queries))
        )
        truth = [set(top_k(exact.scores(q[None])[0], 5).tolist()) for q in query_vectors]
        row["approximate_recall_at_5"] = recall_of(approximate, exact, query_vectors, truth)
        # The whole match as shipped: fused with the lexical back-stop where the texts exist.
        lexical_texts = (texts * (size // len(texts) + 1))[:size] if size <= 100_000 else None
        started = time.perf_counter()
        matcher = Matcher(
            keys=list(range(size)),
            texts=lexical_texts if lexical_texts is not None else [""] * size,
            encoder=_FixedEncoder(dim),
            vectors=vectors,
            mode="fused" if lexical_texts is not None else "dense",
        )
        row["matcher_build_s"] = round(time.perf_counter() - started, 1)
        row["match"] = {
            "mode": matcher.mode,
            "index": "approximate" if matcher.dense.approximate else "exact",
            **percentiles(
                timed(
                    lambda i, m=matcher: m.match_many(
                        [queries[i]], top=5, vectors=query_vectors[i : i + 1]
                    ),
                    len(queries),
                )
            ),
        }
        if matcher.dense.approximate and lexical_texts is not None:
            # Before: the same match with exact search over every vector.
            exact_matcher = Matcher(
                keys=list(range(size)),
                texts=lexical_texts,
                encoder=_FixedEncoder(dim),
                vectors=vectors,
                mode="fused",
                exact_limit=size,
            )
            row["match_exact"] = percentiles(
                timed(
                    lambda i, m=exact_matcher: m.match_many(
                        [queries[i]], top=5, vectors=query_vectors[i : i + 1]
                    ),
                    len(queries),
                )
            )
            del exact_matcher
        row["vectors_mb"] = round(vectors.nbytes / 2**20, 1)
        row["approximate_codes_mb"] = round(size * dim / 2**20, 1)
        results[f"search_{size}"] = row
        print(f"{size:>9,} stored: {json.dumps(row)}", flush=True)
        del matcher, vectors, exact, approximate
    # float32 vectors for exact rescoring, plus one byte per dimension for the 8-bit codes.
    results["memory_per_100k_vectors_mb"] = {
        "vectors": round(100_000 * dim * 4 / 2**20, 1),
        "approximate_codes": round(100_000 * (dim + 8) / 2**20, 1),
    }
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return results


def timed(run, n: int) -> list[float]:
    """Return the milliseconds of run(i) for i in range(n), after one warm-up call."""
    run(0)
    timings = []
    for i in range(n):
        started = time.perf_counter()
        run(i)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def recall_of(approximate, exact, query_vectors, truth) -> float:
    """Return the share of the exact top 5 that the approximate candidates, rescored, keep."""
    kept = 0
    for q, want in zip(query_vectors, truth, strict=True):
        candidates = approximate.candidates(q[None], 50)
        best = candidates[top_k(approximate.scores_of(q[None], candidates), 5)]
        kept += len(set(best.tolist()) & want)
    return round(kept / (5 * len(truth)), 4)


class _FixedEncoder:
    model_id = "synthetic"

    def __init__(self, dim):
        self.dim = dim

    def encode(self, texts, *, batch_size=64):
        raise AssertionError("latency runs pass query vectors")


def percentiles(timings):
    ordered = sorted(timings)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "runs": len(ordered),
    }


def lexical_drift(args):
    """Measure what adding fact-checks to a built TF-IDF index costs in ranking, against
    rebuilding it: the index is built on a random share of the fact-checks and the rest added
    (weighed with the build's vocabulary), then train queries are ranked (lexical MAP@5)."""
    verified = read_verified(str(TASK / "verified_claims.docs.tsv"))
    doc_ids = [row.id for row in verified]
    doc_texts = [document_text(row) for row in verified]
    queries = read_queries(str(TASK / "train" / "tweets.queries.tsv"))
    qrels = load_qrels(TASK / "train" / "tweet-vclaim-pairs.qrels")
    queries = [q for q in queries if q.id in qrels]
    texts = [q.text for q in queries]
    order = np.random.default_rng(14).permutation(len(doc_ids))
    results = {}
    for added_share in (0.0, 0.1, 0.3, 0.5):
        built = order[: int(len(order) * (1 - added_share))]
        rest = order[len(built) :]
        index = LexicalIndex([doc_texts[i] for i in built])
        index.add([doc_texts[i] for i in rest])
        ids = [doc_ids[i] for i in np.concatenate([built, rest])]
        rankings = rankings_from(index.scores(texts), [q.id for q in queries], ids)
        results[f"added_{added_share}"] = round(evaluate(rankings, qrels)["MAP@5"], 4)
    print(json.dumps(results), flush=True)
    return results


class _HashEncoder:
    """A cheap stand-in encoder for the job benchmark (hashed words, fixed random projection):
    what a job costs besides embedding its one claim does not depend on the model."""

    model_id = "bench-hash@1"

    def __init__(self, dim=384):
        self.dim = dim
        self._projection = np.random.default_rng(14).standard_normal((4096, dim), np.float32)

    def encode(self, texts, *, batch_size=64):
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row] += self._projection[hash(word) % 4096]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


def jobs(args):
    """Time matching jobs (reviews.services.matching.claim_match) against ``size`` stored
    fact-checks: a cold job (what every job paid before the per-process cache), the first job in
    a process, later jobs, and a job after 100 new fact-checks arrive."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{REPO / 'var' / 'bench-jobs.sqlite3'}")
    os.environ.setdefault("MATCHING_ENABLED", "false")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from claims.models import Article, Claim, Embedding, ExternalFactCheck
    from claims.services.embeddings import to_bytes
    from reviews.services import matching

    call_command("migrate", verbosity=0)
    encoder = _HashEncoder()
    verified = read_verified(str(TASK / "verified_claims.docs.tsv"))
    texts = [document_text(row) for row in verified]
    queries = [q.text for q in read_queries(str(TASK / "train" / "tweets.queries.tsv"))]
    rng = np.random.default_rng(14)
    base = encoder.encode([clean(text) for text in texts])
    results = {"database": connection.vendor, "encoder": "hashed words (stand-in)"}
    for size in args.jobs:
        Embedding.objects.all().delete()
        ExternalFactCheck.objects.all().delete()
        Article.objects.filter(title__startswith="bench ").delete()
        vectors = stored_vectors(size, base, encoder.dim, rng)
        for start in range(0, size, 5000):
            made = ExternalFactCheck.objects.bulk_create(
                ExternalFactCheck(
                    url=f"https://bench.example/{i}",
                    claim_reviewed=texts[i % len(texts)],
                    imported_from="bench",
                )
                for i in range(start, min(size, start + 5000))
            )
            Embedding.objects.bulk_create(
                Embedding(
                    subject="external",
                    subject_id=row.pk,
                    model_id=encoder.model_id,
                    text_sha256="bench",
                    dim=encoder.dim,
                    vector=to_bytes(vectors[i]),
                )
                for i, row in zip(range(start, start + len(made)), made, strict=True)
            )
        article = Article.objects.create(
            title=f"bench {size}", slug=f"bench-{size}", body="bench", content_hash=f"b{size}"
        )
        claims = iter(
            Claim.objects.bulk_create(
                Claim(
                    article=article,
                    text=q,
                    start=0,
                    end=len(q),
                    paragraph=0,
                    sentence=i,
                    position=i,
                    score=0.5,
                    checkworthy=True,
                )
                for i, q in enumerate(queries[:60])
            )
        )

        def job(clear=False, claims=claims):
            if clear:
                matching.MATCHER_CACHE.clear()
            claim = next(claims)
            started = time.perf_counter()
            matching.claim_match(claim_id=claim.pk, encoder=encoder)
            return (time.perf_counter() - started) * 1000

        row = {"load": round(os.getloadavg()[0], 1)}
        row["cold_job_ms"] = [round(job(clear=True)) for _ in range(2)]
        matching.MATCHER_CACHE.clear()
        row["first_job_ms"] = round(job())
        read = matching.MATCHER_CACHE.rows_read
        row["later_jobs"] = percentiles([job() for _ in range(30)])
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(job)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        row["later_jobs_rows_read"] = matching.MATCHER_CACHE.rows_read - read
        # 100 new fact-checks and their vectors, as the background refresh stores them.
        added = ExternalFactCheck.objects.bulk_create(
            ExternalFactCheck(
                url=f"https://bench.example/new/{i}",
                claim_reviewed=texts[i],
                imported_from="bench",
            )
            for i in range(100)
        )
        Embedding.objects.bulk_create(
            Embedding(
                subject="external",
                subject_id=row.pk,
                model_id=encoder.model_id,
                text_sha256="bench",
                dim=encoder.dim,
                vector=to_bytes(base[i]),
            )
            for i, row in enumerate(added)
        )
        row["job_after_100_imports_ms"] = round(job())
        row["later_jobs_after"] = percentiles([job() for _ in range(10)])
        row["builds"] = matching.MATCHER_CACHE.builds
        results[f"jobs_{size}"] = row
        print(f"{size:>9,} stored: {json.dumps(row)}", flush=True)
        matching.MATCHER_CACHE.clear()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoder", default=None, help="Encoder name (claims.encoding).")
    parser.add_argument("--no-encoder", action="store_true", help="Lexical only.")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--profile", action="store_true", help="Profile one later job.")
    parser.add_argument(
        "--lexical-drift", action="store_true", help="Added rows against a rebuilt TF-IDF."
    )
    parser.add_argument(
        "--jobs",
        default=None,
        type=lambda s: [int(x) for x in s.split(",")],
        help="Stored fact-checks to time matching jobs against (first job and later ones).",
    )
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--write-calibration",
        action="store_true",
        help=f"Write the chosen mode, weight and thresholds to {CALIBRATION_PATH.name}.",
    )
    args = parser.parse_args()
    encoder = None
    if not args.no_encoder and not args.jobs and not args.lexical_drift:
        from claims.encoding import get_encoder

        encoder = get_encoder(args.encoder)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}; encoder: {encoder.model_id if encoder else 'none'}"
    )
    output = {}
    if args.lexical_drift:
        output["lexical_drift"] = lexical_drift(args)
        return
    if args.jobs:
        output["jobs"] = jobs(args)
        print(json.dumps(output["jobs"], indent=1))
        return
    if not args.skip_quality:
        output["quality"] = quality(args, encoder)
        print(json.dumps(output["quality"], indent=1))
        if args.write_calibration:
            from claims.matching.calibration import write_calibration

            q = output["quality"]
            write_calibration(
                model_id=q["model_id"] or "lexical",
                mode=q["shipped_mode"],
                weight=q["fusion_weight"],
                suggested=q["thresholds"]["suggested"],
                confirmed=q["thresholds"]["confirmed"],
                margin=q["thresholds"]["margin"],
            )
            print(f"wrote {CALIBRATION_PATH}")
    if not args.skip_latency:
        output["latency"] = latency(args, encoder)
        print(json.dumps(output["latency"], indent=1))


if __name__ == "__main__":
    main()
