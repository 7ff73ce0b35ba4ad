"""A fresh virtualenv from requirements.txt alone runs the production checks (CI only: slow)."""

import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.fresh_venv


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory) -> Path:
    if not (os.environ.get("REQUIRE_SERVICES") == "1" or os.environ.get("FRESH_VENV") == "1"):
        pytest.skip("builds a virtualenv from the index (minutes): CI runs it, or FRESH_VENV=1")
    home = tmp_path_factory.mktemp("fresh-venv")
    # The pip that ships with Python (ensurepip), not upgraded: the one a new deployment has.
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt"],
        check=True,
        timeout=1800,
    )
    return python


def test_manage_py_check_deploy_passes_with_the_runtime_requirements_alone(fresh_python):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "desk.example.org",
        "DATABASE_URL": "sqlite:////tmp/fresh-venv-unused.sqlite3",
    }
    checked = subprocess.run(
        [fresh_python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tools = subprocess.run(
        [fresh_python, "-c", "import pytest"], capture_output=True, text=True, timeout=60
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout
    # Nothing of the development set came along.
    assert tools.returncode != 0
    assert sys.executable != str(fresh_python)
