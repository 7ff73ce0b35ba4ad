"""Write the year's transparency report (figures, corrections, retractions) as CSV or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.analytics.transparency import transparency_csv, transparency_report


class Command(BaseCommand):
    help = (
        "Write a year's transparency report: the desk's figures as the analytics page shows "
        "them, and every correction and retraction with its date and public note."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="Calendar year (default: this year)."
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--output", "-o", default="-", help="File to write; '-' (default) is standard output."
        )

    def handle(self, *args, year, format, output, **options):
        year = year if year is not None else timezone.localdate().year
        if not 2000 <= year <= 9999:
            raise CommandError(f"Give a four-digit year from 2000 on, not {year}.")
        report = transparency_report(year)
        if format == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        else:
            text = transparency_csv(report)
        if output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Wrote the {year} transparency report to {output}.")
