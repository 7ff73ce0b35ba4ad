"""Train the check-worthiness model on the CheckThat! data and write its JSON artifact."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.extraction import CHECKWORTHY_THRESHOLD, training
from claims.extraction.model import ARTIFACT_PATH


class Command(BaseCommand):
    help = (
        "Train the check-worthiness model (TF-IDF + logistic regression) and write it as "
        "deterministic JSON; print precision, recall and F1 on the dev set."
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

    def handle(self, *args, train, dev, output, **options):
        try:
            report = training.train(train_path=train, dev_path=dev, output=output)
        except OSError as error:
            raise CommandError(f"{error.filename}: cannot read it ({error.strerror})") from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Wrote {report.output} ({report.train_rows:,} training sentences, "
            f"bias {report.bias:+.3f})"
        )
        self.stdout.write(f"train, {training.FOLDS}-fold cross-validated: {report.cross_validated}")
        self.stdout.write(f"dev, final score >= {CHECKWORTHY_THRESHOLD}: {report.dev_combined}")
        self.stdout.write(f"dev, model probability alone >= 0.5: {report.dev_model_only}")
