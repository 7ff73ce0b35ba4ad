"""Summarise durations and votes: quantiles, and Krippendorff's alpha for a panel's ratings."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """How long something took across claims: how many, the median and the 90th percentile."""

    count: int
    median: float | None
    p90: float | None


def quantile(values: Sequence[float], q: float) -> float | None:
    """Return the `q` quantile of `values` by linear interpolation between closest ranks.

    This is numpy's default and a spreadsheet's PERCENTILE.INC: sort the n values, take the
    position (n - 1) * q, and interpolate between the values either side of it. None when empty.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def spread(values: Sequence[float]) -> Spread:
    """Return the count, median and 90th percentile of `values`."""
    return Spread(count=len(values), median=quantile(values, 0.5), p90=quantile(values, 0.9))


def share(part: int, whole: int) -> float | None:
    """Return part / whole, or None when there is no whole to share."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha over the panel's ratings, or why it was not computed."""

    value: float | None
    units: int
    reason: str = ""


def krippendorff_alpha(units: Iterable[dict], *, min_units: int) -> Alpha:
    """Return nominal Krippendorff's alpha over `units`: one {coder: value} per rated revision.

    Only units with two or more values are pairable; with fewer than `min_units` of them, or a
    single value used throughout (alpha is undefined: there is no disagreement to expect), the
    value is None and `reason` says why. Computed by the maintained `krippendorff` package.
    """
    import krippendorff
    import numpy as np

    pairable = [unit for unit in units if len(unit) >= 2]
    if len(pairable) < min_units:
        return Alpha(
            None,
            len(pairable),
            f"needs {min_units} revisions with two or more rated votes ({len(pairable)} so far)",
        )
    values = sorted({value for unit in pairable for value in unit.values()})
    if len(values) < 2:
        return Alpha(None, len(pairable), "every vote gave the same rating")
    coders = sorted({coder for unit in pairable for coder in unit})
    row = {coder: i for i, coder in enumerate(coders)}
    code = {value: i for i, value in enumerate(values)}
    data = np.full((len(coders), len(pairable)), np.nan)
    for column, unit in enumerate(pairable):
        for coder, value in unit.items():
            data[row[coder], column] = code[value]
    value = krippendorff.alpha(
        reliability_data=data, level_of_measurement="nominal", value_domain=list(code.values())
    )
    return Alpha(float(value), len(pairable))
