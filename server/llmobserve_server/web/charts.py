"""Chart data for the `chart` macro (components/ui.html) from analytics results.

Amounts become floats here, for drawing only: every number a person reads as text on the page
comes from the exact Decimal.
"""

from __future__ import annotations

from typing import Any

from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.timeseries import CostSeries
from llmobserve_server.web.dimension_values import key_label


def bucket_labels(series: CostSeries) -> list[str]:
    """ "14:00" for hours, "Nov 25" for days (UTC)."""
    if series.bucket == "hour":
        return [f"{start:%H}:00" for start in series.starts]
    return [f"{start:%b} {start.day}" for start in series.starts]


def chart_series(series: CostSeries, dimension: Dimension | None) -> list[dict[str, Any]]:
    """One `{"label", "values"}` per series; "Other" for the rest, "Cost" when not split."""
    drawn = []
    for line in series.series:
        if line.other:
            label = "Other"
        elif dimension is None:
            label = "Cost"
        else:
            label = key_label(dimension, line.key)
        drawn.append({"label": label, "values": [float(cost) for cost in line.costs]})
    return drawn
