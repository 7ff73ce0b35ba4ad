"""Settings read the environment: database, secrets, and production checks."""

import json
import os
import subprocess
import sys

from tests.services import REPO

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "factcheck.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "prod-like-" + "k3y-material-" * 5,
    "DJANGO_ALLOWED_HOSTS": "desk.example.org",
}


def run_python(
    code: str, env: dict[str, str], drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with `env` on top of ours, minus the names in `drop`."""
    full = {k: v for k, v in os.environ.items() if k not in drop}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


DUMP_DATABASE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'name': str(d['NAME']), "
    "'health': d.get('CONN_HEALTH_CHECKS', False)}))"
)


def test_sqlite_under_var_is_the_default_database():
    result = run_python(DUMP_DATABASE, PRODUCTION_ENV, drop=("DATABASE_URL",))
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["engine"] == "django.db.backends.sqlite3"
    assert database["name"] == str(REPO / "var" / "db.sqlite3")


def test_a_postgres_database_url_is_honoured():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://desk@db.internal:6543/newsroom"}
    result = run_python(DUMP_DATABASE, env)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database == {
        "engine": "django.db.backends.postgresql",
        "name": "newsroom",
        "health": True,
    }


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "", "DJANGO_DEBUG": "1"}
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(len(settings.SECRET_KEY))",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 50


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_in_debug_a_request_warning_is_logged_once(tmp_path):
    # Django's default config has a console handler of its own on "django" in debug; the demo's
    # console must not print each warning twice.
    result = run_python(
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /nowhere')",
        {
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "LOG_FORMAT": "text",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /nowhere") == 1, result.stderr
