"""Group commit: one thread per process writes the batches that arrive together in one go.

    writer = GroupWriter(write_group, max_events=2000, max_wait=0.002)
    future = writer.submit(batch, events=len(batch))   # from any thread; a concurrent Future
    stored = await asyncio.wrap_future(future)         # resolved once its group has committed
    writer.close()                                     # drains the queue, then stops the thread

The writer takes the oldest queued item and waits for companions until `max_wait` has passed
since that item arrived or `max_events` are queued, then hands the group (in arrival order) to
`write`, which returns one outcome per item: a value, or the exception for that item alone.
Under load the queue fills while the previous group commits, so groups form without waiting;
`max_wait` only delays a lone batch on an idle server, by a few milliseconds at most.

A future cancelled before its group is formed (its client gave up) is left out of the group.
`close()` refuses new items, writes everything already queued, and returns once the last
group has been written: an item accepted by `submit` is always written or failed, never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class WriterClosed(RuntimeError):
    """The writer is shutting down and takes no new items."""


@dataclass
class _Queued(Generic[Item, Result]):
    item: Item
    events: int
    arrived: float
    future: Future[Result] = field(default_factory=Future)


class GroupWriter(Generic[Item, Result]):
    """A thread that writes queued items in groups (see the module's docstring)."""

    def __init__(
        self,
        write: Callable[[list[Item]], list[Result | BaseException]],
        *,
        max_events: int,
        max_wait: float,
        name: str = "group-writer",
    ) -> None:
        self._write = write
        self._max_events = max(1, max_events)
        self._max_wait = max(0.0, max_wait)
        self._name = name
        self._queue: deque[_Queued[Item, Result]] = deque()
        self._queued_events = 0
        self._changed = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, item: Item, *, events: int) -> Future[Result]:
        """Queue `item` (`events` events, counted against `max_events`); its outcome's future."""
        queued: _Queued[Item, Result] = _Queued(item, events, time.monotonic())
        with self._changed:
            if self._closed:
                raise WriterClosed("the server is shutting down")
            if self._thread is None:  # started on first use: after any fork, in the worker
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.append(queued)
            self._queued_events += events
            self._changed.notify()
        return queued.future

    def close(self, timeout: float | None = None) -> None:
        """Take no more items; write the queued ones and stop (waits up to `timeout`)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                logger.error("the group writer did not finish within %s s", timeout)

    def _run(self) -> None:
        while True:
            group = self._next_group()
            if group is None:
                return
            if group:
                self._write_group(group)

    def _next_group(self) -> list[_Queued[Item, Result]] | None:
        """The next group, oldest first (empty when all its futures were cancelled); None once
        closed with nothing left."""
        with self._changed:
            while not self._queue:
                if self._closed:
                    return None
                self._changed.wait()
            deadline = self._queue[0].arrived + self._max_wait
            while not self._closed and self._queued_events < self._max_events:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            group: list[_Queued[Item, Result]] = []
            events = 0
            while self._queue and (not group or events + self._queue[0].events <= self._max_events):
                queued = self._queue.popleft()
                self._queued_events -= queued.events
                if queued.future.set_running_or_notify_cancel():
                    group.append(queued)
                    events += queued.events
            return group

    def _write_group(self, group: list[_Queued[Item, Result]]) -> None:
        outcomes: list[Result | BaseException]
        try:
            outcomes = self._write([queued.item for queued in group])
        except BaseException as exc:  # `write` answers per item; this is a bug in it
            logger.exception("the group writer's write failed")
            outcomes = [exc] * len(group)
        for queued, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                queued.future.set_exception(outcome)
            else:
                queued.future.set_result(outcome)
