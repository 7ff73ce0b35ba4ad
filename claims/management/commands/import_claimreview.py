"""Import other publishers' fact-checks (schema.org ClaimReview) from files or URLs."""

from django.core.management.base import BaseCommand, CommandError

from claims.errors import ClaimsError
from claims.services.external import external_factchecks_import


class Command(BaseCommand):
    help = (
        "Import ClaimReview from JSON-LD files, HTML pages with JSON-LD blocks, JSON-lines "
        "dumps, or URLs (another desk's /api/v1/articles/ID/claimreview/ or verdict endpoints). "
        "A review already imported (same URL) is updated in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="FILE|URL")

    def handle(self, *args, sources, **options):
        failures = []
        for source in sources:
            try:
                result = external_factchecks_import(source=source)
            except ClaimsError as error:
                failures.append(str(error))
                self.stderr.write(str(error))
                continue
            self.stdout.write(result.summary())
        if failures:
            raise CommandError(
                failures[0] if len(failures) == 1 else f"{len(failures)} sources not imported"
            )
