"""The bounded queue between the host's threads and the background worker, with its counters.

`put` never blocks and never grows the queue past `maxsize`: a full queue drops the event and
counts it. Every event that enters is eventually *settled* (delivered, refused or dropped) by the
worker, in order, which is what `flush` waits for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Protocol, Union

Event = dict[str, Any]


class Deferred(Protocol):
    """An event still to be built: the caller's thread queues plain values and the worker turns
    them into the wire format (ids, RFC 3339 time, limits) off the host's hot path."""

    def to_event(self) -> Event: ...


Item = Union[Event, Deferred]


class EventQueue:
    def __init__(self, *, maxsize: int, batch_size: int) -> None:
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)  # the worker waits here for a batch
        self._settled_cond = threading.Condition(self._lock)  # flush() waits here
        self._events: deque[Item] = deque()
        self._maxsize = maxsize
        self._batch_size = batch_size
        self._flush_upto = 0  # `enqueued` at the latest flush request
        self._closing = False
        self._refused = False
        self.recorded = 0  # events offered: queued, or dropped at once (full, refused, invalid)
        self.enqueued = 0  # events that entered the queue
        self.taken = 0  # events the worker took out
        self.settled = 0  # events whose fate is known
        self.counts = {
            "sent": 0,  # accepted by the collector
            "duplicates": 0,  # the collector already had them (a resend after a lost answer)
            "rejected": 0,  # refused one by one by the collector (see the logged reason)
            "failed": 0,  # given up: retries exhausted, a 4xx, or an unusable batch
            "dropped": 0,  # never sent: the queue was full, the key was refused, or shut down
            "retried": 0,  # requests sent again after a network error, 5xx or 429
        }

    # -- the host's side -------------------------------------------------------------------

    def put(self, event: Item) -> bool:
        """Queue one event; False (and counted as dropped) when full or refused."""
        with self._lock:
            self.recorded += 1
            # The bound counts the batch in flight too: at most `maxsize` events are held.
            held = len(self._events) + self.taken - self.settled
            if self._refused or held >= self._maxsize:
                self.counts["dropped"] += 1
                return False
            self._events.append(event)
            self.enqueued += 1
            if len(self._events) == self._batch_size:
                self._ready.notify()
            return True

    def has_room(self) -> bool:
        """A lock-free hint for the caller's fast path; `put` decides under the lock."""
        return not self._refused and len(self._events) + self.taken - self.settled < self._maxsize

    def in_flight(self) -> int:
        """Events the worker took and has not settled yet."""
        with self._lock:
            return self.taken - self.settled

    def drop_one(self) -> None:
        """Count an event that was recorded but never queued (no room, or not valid)."""
        with self._lock:
            self.recorded += 1
            self.counts["dropped"] += 1

    def request_flush(self) -> int:
        """Ask the worker to send what is queued now; returns the mark to `wait_settled` for."""
        with self._lock:
            self._flush_upto = max(self._flush_upto, self.enqueued)
            self._ready.notify()
            return self.enqueued

    def wait_settled(self, mark: int, timeout: float) -> bool:
        """Wait until the first `mark` events are settled; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.settled < mark:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._settled_cond.wait(remaining)
            return True

    def close(self) -> None:
        """Tell the worker to send everything left without waiting for the interval."""
        with self._lock:
            self._closing = True
            self._ready.notify()

    def snapshot(self) -> dict[str, int]:
        """The counters; `recorded` is the sum of every other one but `retried`."""
        with self._lock:
            queued = len(self._events) + self.taken - self.settled
            return {**self.counts, "queued": queued, "recorded": self.recorded}

    # -- the worker's side -----------------------------------------------------------------

    def take(self, timeout: float) -> list[Item]:
        """Up to one batch: at once when a batch is full, a flush was asked or the queue is
        closing; otherwise whatever arrived within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._batch_due():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._ready.wait(remaining)
            count = min(self._batch_size, len(self._events))
            batch = [self._events.popleft() for _ in range(count)]
            self.taken += count
            return batch

    def _batch_due(self) -> bool:
        waiting = len(self._events)
        return (
            waiting >= self._batch_size
            or self._closing
            or (waiting > 0 and self.taken < self._flush_upto)
        )

    @property
    def refused(self) -> bool:
        return self._refused

    @property
    def closing(self) -> bool:
        return self._closing

    def empty(self) -> bool:
        with self._lock:
            return not self._events

    def settle(self, count: int, **outcomes: int) -> None:
        """Record the fate of `count` taken events: `outcomes` adds to the counters by name
        (`sent=98, duplicates=2`), and adds up to `count` (`retried` aside)."""
        with self._lock:
            for name, value in outcomes.items():
                self.counts[name] += value
            self.settled += count
            self._settled_cond.notify_all()

    def refuse(self) -> None:
        """The key was refused: drop what waits and every later event (counted as dropped)."""
        with self._lock:
            self._refused = True
            self._drop_waiting()

    def drop_waiting(self) -> int:
        """Drop every event still waiting (shutdown ran out of time); returns how many."""
        with self._lock:
            return self._drop_waiting()

    def _drop_waiting(self) -> int:
        count = len(self._events)
        self._events.clear()
        self.counts["dropped"] += count
        self.taken += count
        self.settled += count
        self._settled_cond.notify_all()
        return count
