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


def share(part: int, whole: int) -> float | None:
    """Return part / whole, or None when there is no whole to share."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha over the panel's ratings, or why it was not computed."""

    value: float | None
    units: int
    reason: str = ""


def krippendorff_alpha(units: Iterable[list], *, min_units: int) -> Alpha:
    """Return nominal Krippendorff's alpha over `units`: the ratings given to each revision.

    Only units with two or more values are pairable; with fewer than `min_units` of them, or a
    single value used throughout (alpha is undefined: there is no disagreement to expect), the
    value is None and `reason` says why. Computed by the maintained `krippendorff` package from
    the count of each value in each unit (who gave it does not enter nominal alpha).
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
    values = sorted({value for unit in pairable for value in unit})
    if len(values) < 2:
        return Alpha(None, len(pairable), "every vote gave the same rating")
    column = {value: i for i, value in enumerate(values)}
    counts = np.zeros((len(pairable), len(values)), dtype=int)
    for row, unit in enumerate(pairable):
        for value in unit:
            counts[row, column[value]] += 1
    value = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    return Alpha(float(value), len(pairable))
