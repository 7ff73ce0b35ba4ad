"""Train the check-worthiness model on the CheckThat! data and write its JSON artifact."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.encoding import EncoderUnavailable
from claims.extraction import CHECKWORTHY_THRESHOLD, training
from claims.extraction.model import ARTIFACT_PATH


class Command(BaseCommand):
    help = (
        "Choose the check-worthiness model by 5-fold cross-validation on the training file "
        "(TF-IDF, sentence-encoder vectors, regularization, how far the signals move the score, "
        "threshold), fit it, write it as deterministic JSON, then score the dev file once."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--train", type=Path, default=training.TRAIN_PATH, help="Labelled training TSV."
        )
        parser.add_argument(
            "--dev", type=Path, default=training.DEV_PATH, help="Labelled TSV to evaluate on."
        )
        parser.add_argument(
            "--output", type=Path, default=ARTIFACT_PATH, help="Where to write the model JSON."
        )
        parser.add_argument(
            "--encoder",
            default=training.ENCODER,
            help=f"Sentence encoder whose vectors may join the features (default "
            f"{training.ENCODER}); 'none' for TF-IDF alone.",
        )

        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=training.CACHE_DIR,
            help="Where the encoder's vectors of the training sentences are kept between runs.",
        )

        parser.add_argument(
            "--fine-tune",
            action="store_true",
            help="Fine-tune all-MiniLM-L6-v2 on 85%% of the training file (CPU, tens of "
            "minutes; needs requirements-train.txt), export it as int8 ONNX beside the JSON, "
            "and choose how it combines with TF-IDF and the signals on the held-out 15%%.",
        )

    def handle(self, *args, train, dev, output, encoder, cache_dir, fine_tune, **options):
        if fine_tune:
            return self._fine_tune(train, dev, output, cache_dir)
        try:
            report = training.train(
                train_path=train,
                dev_path=dev,
                output=output,
                encoder=None if encoder == "none" else encoder,
                cache_dir=cache_dir,
                progress=self.stdout.write,
            )
        except OSError as error:
            raise CommandError(f"{error.filename}: cannot read it ({error.strerror})") from None
        except (ValueError, EncoderUnavailable) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Wrote {report.output} ({report.train_rows:,} training sentences)")
        self.stdout.write(f"chosen by {training.FOLDS}-fold cross-validation: {report.chosen}")
        self.stdout.write(
            f"train, {training.FOLDS}-fold cross-validated, final score >= "
            f"{CHECKWORTHY_THRESHOLD}: {report.cross_validated}"
        )
        if report.dev is not None:
            self.stdout.write(f"dev (reported once, chose nothing): {report.dev}")

    def _fine_tune(self, train, dev, output, cache_dir):
        from claims.extraction.finetune import TrainingUnavailable
        from claims.extraction.network import NetworkUnavailable

        try:
            report = training.train_fine_tuned(
                train_path=train,
                dev_path=dev,
                output=output,
                cache_dir=cache_dir,
                progress=self.stdout.write,
            )
        except OSError as error:
            raise CommandError(f"{error.filename}: cannot read it ({error.strerror})") from None
        except (ValueError, TrainingUnavailable, NetworkUnavailable, EncoderUnavailable) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Wrote {report.output} and {report.network} ({report.network_bytes / 1e6:.1f} MB, "
            f"sha256 {report.network_sha256})"
        )
        self.stdout.write(
            f"fine-tuned on {report.fit_rows:,} sentences; chosen on the {report.held_rows:,} "
            f"held out: {report.chosen}"
        )
        self.stdout.write(
            f"held out of train, final score >= {CHECKWORTHY_THRESHOLD}: {report.held_out}"
        )
        if report.dev is not None:
            self.stdout.write(f"dev (reported once, chose nothing): {report.dev}")
