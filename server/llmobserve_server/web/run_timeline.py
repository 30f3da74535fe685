"""What the run detail page draws: durations as people read them, and each span's bar in the
run's waterfall (an SVG rect, since the CSP forbids `style=` attributes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from llmobserve_server.db.models import Run, TraceEvent

SCALE = 1000  # the SVG's viewBox width
MIN_WIDTH = 4  # so that a 0 ms span is still visible


def format_duration(ms: int | float | None) -> str:
    """ "—", "850 ms", "1.25 s", "42.0 s", "3 min 05 s", "2 h 04 min"."""
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{round(ms)} ms"
    seconds = ms / 1000
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def run_duration_ms(run: Run) -> int:
    return round((run.ended_at - run.started_at).total_seconds() * 1000)


@dataclass(frozen=True)
class Bar:
    x: int
    width: int


@dataclass(frozen=True)
class Timeline:
    """Places spans on the run's time axis, 0 to SCALE."""

    run: Run

    def bar(self, event: TraceEvent) -> Bar:
        total = (self.run.ended_at - self.run.started_at) / timedelta(milliseconds=1)
        if total <= 0:
            return Bar(0, SCALE)
        offset = (event.timestamp - self.run.started_at) / timedelta(milliseconds=1)
        x = min(max(round(offset / total * SCALE), 0), SCALE - MIN_WIDTH)
        width = round((event.duration_ms or 0) / total * SCALE)
        return Bar(x, min(max(width, MIN_WIDTH), SCALE - x))
