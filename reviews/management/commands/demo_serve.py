"""Serve the demo: jobs in-process, the sample pieces ingested once the server answers, then
where to go and who to log in as."""

import threading
import time

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from factcheck import inprocess
from reviews.management.commands.demo_setup import DEMO_ACCOUNTS, demo_credentials

# Where each demo account starts, printed next to it.
START_HERE = {
    "factchecker": "triage and research: Review desk → Tickets, or Add piece",
    "editor": "vote on and publish verdicts: Awaiting your vote",
    "editor2": "the second vote of a panel",
    "admin": "everything, including API keys and webhooks",
}


class Command(BaseCommand):
    help = (
        "Serve the demo on one address: background and periodic jobs run in this process when "
        "there is no broker, the sample pieces are ingested once the server answers (their "
        "sources are archived from the server itself), and the last lines say where to go."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--manifest", default=str(settings.BASE_DIR / "seeds/manifest.json"))

    def handle(self, *args, addrport, manifest, **options):
        if not settings.DEBUG:
            raise CommandError("demo_serve is for the laptop demo: it needs DJANGO_DEBUG=1.")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            inprocess.start()
        base = f"http://{addrport}"
        threading.Thread(
            target=self._when_up, args=(base, manifest), name="demo-seed", daemon=True
        ).start()
        call_command("runserver", addrport, use_reloader=False)

    def _when_up(self, base: str, manifest: str) -> None:
        """Wait for the server, ingest the sample pieces, then print where to go."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            self.stderr.write(f"The server did not answer at {base} within a minute.")
            return
        try:
            call_command("ingest", manifest, stdout=self.stdout, stderr=self.stderr)
        except CommandError as error:
            self.stderr.write(str(error))
        self._where_to_go(base)

    def _where_to_go(self, base: str) -> None:
        credentials = demo_credentials()
        jobs = (
            "no broker: background and periodic jobs run inside this process"
            if inprocess.periodic_jobs_run_here()
            else "jobs go to the broker: run a worker and beat"
        )
        lines = [
            "",
            f"The desk is ready. Open {base}/admin/ and log in as (demo only, never production):",
            *(
                f"  {username:<12} {credentials[username]:<22} {START_HERE.get(username, desc)}"
                for username, _role, desc in DEMO_ACCOUNTS
            ),
            f"Readers' pages: {base}/   API docs: {base}/api/docs/   ({jobs})",
            "The README's 'First ten minutes' walks both sample pieces through the desk. "
            "Ctrl-C stops the server.",
            "",
        ]
        self.stdout.write("\n".join(lines))
