"""The measured mode, fusion weight and thresholds per encoder model, shipped as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .matcher import MODES, MatchingError, Thresholds

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
# The key under which the lexical-only figures are kept (no encoder installed).
LEXICAL = "lexical"


@dataclass(frozen=True)
class Calibration:
    """How to match with one model: the mode, the fusion weight and the two thresholds."""

    model_id: str
    mode: str
    weight: float
    thresholds: Thresholds


def load_calibrations(path: Path = CALIBRATION_PATH) -> dict[str, Calibration]:
    """Return the shipped calibrations by model id."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    result = {}
    for model_id, entry in data.get("models", {}).items():
        if entry["mode"] not in MODES:
            raise MatchingError(f"{path.name}: {model_id}: unknown mode {entry['mode']!r}")
        result[model_id] = Calibration(
            model_id=model_id,
            mode=entry["mode"],
            weight=float(entry["weight"]),
            thresholds=Thresholds(
                float(entry["suggested"]),
                float(entry["confirmed"]),
                float(entry.get("margin", 0.0)),
            ),
        )
    return result


def calibration_for(model_id: str | None, path: Path = CALIBRATION_PATH) -> Calibration | None:
    """Return the calibration of ``model_id`` (None: lexical only), or None if never measured."""
    return load_calibrations(path).get(model_id or LEXICAL)


def write_calibration(
    *,
    model_id: str,
    mode: str,
    weight: float,
    suggested: float,
    confirmed: float,
    margin: float = 0.0,
    path: Path = CALIBRATION_PATH,
) -> None:
    """Record one model's measured calibration (bench/matching.py --write-calibration)."""
    Thresholds(suggested, confirmed, margin)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        data = {}
    data.setdefault("models", {})[model_id] = {
        "mode": mode,
        "weight": weight,
        "suggested": suggested,
        "confirmed": confirmed,
        "margin": margin,
    }
    data["measured_by"] = "bench/matching.py --write-calibration (CV on CheckThat! 2020 train)"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
