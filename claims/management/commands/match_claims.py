"""Rank verified claims against queries from two tab-separated files, without the database."""

import json
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.matching import MODES, Matcher, MatchingError, read_queries, read_verified
from claims.matching.calibration import calibration_for


class Command(BaseCommand):
    help = (
        "Match each query (columns id, text) against verified claims (columns id, claim, "
        "title) with the desk's matcher and print the top matches, as TREC run lines or JSON."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--verified", required=True, help="Verified claims: id, vclaim, title.")
        parser.add_argument("--queries", required=True, help="Queries: id, text.")
        parser.add_argument("--top", type=int, default=5, help="Matches per query (default 5).")
        parser.add_argument(
            "--format",
            dest="output",
            choices=["trec", "jsonl"],
            default="trec",
            help="trec: 'query_id Q0 verified_id rank score run' lines; jsonl: an object a query.",
        )
        parser.add_argument(
            "--mode",
            choices=MODES,
            default=None,
            help="lexical, dense or fused (default: the mode measured best for the encoder).",
        )
        parser.add_argument(
            "--encoder", default=None, help="Encoder name (default: CLAIMS_ENCODER or built-in)."
        )
        parser.add_argument("--run", default="factcheck-desk", help="Run tag in TREC output.")

    def handle(self, *args, verified, queries, top, output, mode, encoder, run, **options):
        if top < 1:
            raise CommandError(f"--top must be at least 1, got {top}")
        try:
            stored = read_verified(verified)
            asked = read_queries(queries)
            matcher = self._matcher(stored, mode, encoder)
            results = matcher.match_many([row.text for row in asked], top=top)
        except MatchingError as error:
            raise CommandError(str(error)) from None
        try:
            for row, matches in zip(asked, results, strict=True):
                if output == "trec":
                    for match in matches:
                        self.stdout.write(
                            f"{row.id} Q0 {match.key} {match.rank} {match.score:.6f} {run}"
                        )
                else:
                    self.stdout.write(
                        json.dumps(
                            {
                                "id": row.id,
                                "matches": [
                                    {
                                        "id": match.key,
                                        "rank": match.rank,
                                        "score": match.score,
                                        "dense": match.dense,
                                        "lexical": match.lexical,
                                        "level": match.level,
                                        "conflicts": list(match.conflicts),
                                    }
                                    for match in matches
                                ],
                            },
                            ensure_ascii=False,
                        )
                    )
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _matcher(self, stored, mode, encoder_name) -> Matcher:
        keys = [row.id for row in stored]
        texts = [f"{row.text} {row.title}".strip() for row in stored]
        if mode == "lexical":
            calibration = calibration_for(None)
            return Matcher(
                keys=keys,
                texts=texts,
                mode="lexical",
                thresholds=calibration.thresholds if calibration else None,
            )
        from claims.encoding import EncoderUnavailable, get_encoder

        try:
            encoder = get_encoder(encoder_name or getattr(settings, "CLAIMS_ENCODER", None))
        except EncoderUnavailable as error:
            raise CommandError(f"{error}; or pass --mode lexical") from None
        calibration = calibration_for(encoder.model_id)
        return Matcher(
            keys=keys,
            texts=texts,
            encoder=encoder,
            mode=mode or (calibration.mode if calibration else "dense"),
            weight=calibration.weight if calibration else 1.0,
            thresholds=calibration.thresholds if calibration else None,
        )
