"""The background worker: one daemon thread that batches queued events and delivers them.

Delivery retries network errors, 5xx and 429 with exponential backoff and full jitter (a
`Retry-After` is honoured), never other 4xx. A 401 means the key is unknown or revoked: one
error line, then every event is dropped and counted instead of hammering the collector. A 429
`quota_exceeded` (the plan's month is used up) drops that batch with one warning and goes on:
its Retry-After is the next month. Event ids stay the same across retries, so a resend after a
lost answer is a duplicate, not a second cost.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from llmobserve import _transport
from llmobserve._batch_result import read_batch_result
from llmobserve._budgets import REFRESH_SECONDS, Enforcement
from llmobserve._config import Options
from llmobserve._encode import MAX_EVENT_BYTES, encode_event, request_bodies
from llmobserve._hints import answer_problem
from llmobserve._log import forget_warning, logger, report_internal_error, warn_once
from llmobserve._queue import EventQueue, Item
from llmobserve._transport import Answer

MAX_BACKOFF = 30.0  # seconds
_RETRY_STATUSES = frozenset({408, 429})


class Worker:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.queue = EventQueue(maxsize=options.max_queue_size, batch_size=options.batch_size)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop_by: float | None = None  # monotonic deadline, set by shutdown()
        self._wake = threading.Event()  # cuts a backoff pause short at shutdown
        # init(enforce_budgets=True): the blocked budgets the integrations check (_budgets.py)
        self.enforcement = (
            Enforcement(options.on_budget_exceeded) if options.enforce_budgets else None
        )

    # -- the host's side -------------------------------------------------------------------

    def admit(self) -> bool:
        """Whether an event would be queued now; if not, it is counted as dropped at once, so a
        caller does not build an event only to drop it (cheap while the collector is down)."""
        if self.queue.has_room():
            return True
        self.queue.drop_one()
        self._warn_if_full()
        return False

    def enqueue(self, event: Item) -> None:
        if self._thread is None:  # not started yet (a forked child starts it lazily)
            self.start()
        if not self.queue.put(event):
            self._warn_if_full()

    def _warn_if_full(self) -> None:
        if not self.queue.refused:
            warn_once(
                "queue-full",
                "llmobserve: %d events are waiting to be sent, so new events are dropped until "
                "the collector catches up (counted in llmobserve.stats()['dropped']).",
                self.options.max_queue_size,
            )

    def start(self) -> None:
        with self._start_lock:
            if self._thread is not None or self._stop_by is not None:
                return
            thread = threading.Thread(target=self._run, name="llmobserve-worker", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # the interpreter is shutting down
                return
            self._thread = thread

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued before the call is delivered or refused (and, with
        enforce_budgets, until the blocked budgets were asked for once)."""
        enforcement = self.enforcement
        if enforcement is not None and not enforcement.first_read.is_set():
            started = time.monotonic()
            if self._thread is None:
                self.start()
            if threading.current_thread() is not self._thread:
                enforcement.first_read.wait(timeout)
            timeout = max(0.0, timeout - (time.monotonic() - started))
        mark = self.queue.request_flush()
        if self.queue.settled >= mark:
            return True
        if self._thread is None:
            self.start()
        if threading.current_thread() is self._thread:
            return False
        return self.queue.wait_settled(mark, timeout)

    def stop_soon(self, timeout: float) -> None:
        """Let the thread deliver what is queued within `timeout` seconds, then end, without
        waiting for it (init() replacing this worker)."""
        self._stop_by = time.monotonic() + timeout
        self.queue.close()
        self._wake.set()

    def shutdown(self, timeout: float) -> None:
        """Deliver what is queued within `timeout` seconds, then stop; drop what is left."""
        self.stop_soon(timeout)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        left = self.queue.drop_waiting() + self.queue.in_flight()
        if left:
            logger.warning(
                "llmobserve: %d event(s) were not delivered within the shutdown timeout (%.1f s) "
                "and were dropped.",
                left,
                timeout,
            )

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                if self.enforcement is not None:
                    self._refresh_blocks(self.enforcement)
                batch = self.queue.take(self.options.flush_interval)
                if not batch and self.queue.closing:
                    return
                if batch:
                    self._deliver(batch)
            except Exception as exc:  # never let the thread die: it would silently stop sending
                report_internal_error(exc)

    def _deliver(self, batch: list[Item]) -> None:
        """Send a batch; every event of it is settled exactly once, whatever happens (what a
        bug of ours leaves unsettled counts as failed)."""
        unsettled = len(batch)
        try:
            encoded: list[bytes] = []
            for event in batch:
                item = encode_event(event)
                if item is None or len(item) > MAX_EVENT_BYTES:
                    if item is not None:
                        warn_once(
                            "event-too-large", "llmobserve: an event over 256 KB was dropped."
                        )
                    self.queue.settle(1, failed=1)
                    unsettled -= 1
                else:
                    encoded.append(item)
            for count, body in request_bodies(encoded):
                outcome = {"failed": count}
                try:
                    outcome = self._send(count, body)
                finally:
                    self.queue.settle(count, **outcome)
                    unsettled -= count
        finally:
            if unsettled > 0:
                self.queue.settle(unsettled, failed=unsettled)

    def _send(self, count: int, body: bytes) -> dict[str, int]:
        """Deliver one request body of `count` events; its outcome, for `EventQueue.settle`."""
        options = self.options
        failed = {"failed": count}
        attempt = 0
        while True:
            timeout = self._time_left(options.request_timeout)
            if timeout <= 0:
                return failed
            answer = _transport.post_events(
                options.collector_url, options.api_key, body, timeout=timeout
            )
            status = answer.status
            if hint := answer_problem(options.collector_url, status, answer.body):
                warn_once("collector-url", hint)  # the dashboard's URL, or one ending in /v1
            if status is not None and 200 <= status < 300:
                return self._accepted(count, answer)
            if status == 401:
                self._refused(answer)
                return failed
            if status == 429 and answer.error_code() == "quota_exceeded":
                self._over_quota(answer)
                return failed
            if status is not None and status < 500 and status not in _RETRY_STATUSES:
                warn_once(
                    f"status-{status}",
                    "llmobserve: the collector refused %d event(s) with HTTP %d: %s. They were "
                    "dropped (this is not retried).",
                    count,
                    status,
                    answer.error_message(),
                )
                return failed
            self._warn_retrying(answer)
            if attempt >= options.max_retries or not self._pause(self._delay(attempt, answer)):
                warn_once(
                    "gave-up",
                    "llmobserve: gave up on %d event(s) after %d attempt(s): %s.",
                    count,
                    attempt + 1,
                    answer.problem or answer.error_message(),
                )
                return failed
            self.queue.settle(0, retried=1)
            attempt += 1

    def _accepted(self, count: int, answer: Answer) -> dict[str, int]:
        forget_warning("net", "gave-up", "status-5", "status-429", "queue-full", "quota")
        result = read_batch_result(count, answer)
        if result is None:
            warn_once(
                "malformed-answer",
                "llmobserve: %s answered HTTP %d with something that is not an llmobserve batch "
                "result (%s); %d event(s) were counted as failed. Is collector_url the "
                "llmobserve server's address?",
                self.options.collector_url,
                answer.status,
                "over 1 MB" if answer.truncated else repr(answer.body[:80]),
                count,
            )
            return {"failed": count}
        for rejection in result.rejected:
            warn_once(
                f"rejected-{rejection.code}",
                "llmobserve: the collector rejected an event: %s (%s). Further events rejected "
                "for this reason are counted in llmobserve.stats() without a log line.",
                rejection.message,
                rejection.code,
            )
        logger.debug("llmobserve: delivered %d event(s): %s", count, result)
        if self.enforcement is not None and b"budgets_blocked" in answer.body:
            self.enforcement.update(answer.json().get("budgets_blocked"), source="/v1/events")
            self.enforcement.next_refresh = time.monotonic() + REFRESH_SECONDS
        return {
            "sent": result.accepted,
            "duplicates": result.duplicates,
            "rejected": len(result.rejected),
        }

    def _refresh_blocks(self, enforcement: Enforcement) -> None:
        """Ask for the blocked budgets at start and every REFRESH_SECONDS (flushes that carry the
        list postpone it): on this thread, never the caller's."""
        if self._stop_by is not None:
            enforcement.first_read.set()  # stopping: a flush must not wait for it
            return
        if time.monotonic() < enforcement.next_refresh:
            return
        enforcement.next_refresh = time.monotonic() + REFRESH_SECONDS
        answer = _transport.get(
            self.options.collector_url,
            "/v1/budgets/blocked",
            self.options.api_key,
            timeout=self.options.request_timeout,
        )
        try:
            if answer.status == 200:
                enforcement.update(answer.json().get("budgets_blocked"), source="/v1/budgets")
                return
        except (ValueError, AttributeError):
            pass
        finally:
            enforcement.first_read.set()
        if answer.status != 200:
            warn_once(
                "budgets-blocked",
                "llmobserve: could not read the blocked budgets from %s (%s); enforcement "
                "uses the last list it had.",
                self.options.collector_url,
                answer.problem or answer.error_message(),
            )

    def _refused(self, answer: Answer) -> None:
        warn_once(
            f"auth-{id(self)}",
            "llmobserve: API key invalid or revoked (%s). Events are no longer sent and are "
            "dropped: create a key in Settings → API keys and call llmobserve.init() with it.",
            answer.error_message(),
            level=logging.ERROR,
        )
        self.queue.refuse()

    def _over_quota(self, answer: Answer) -> None:
        """The plan's events for the month are used up. Its Retry-After (the next month) is far
        too long to hold the queue for: drop this batch and keep sending later ones, which the
        collector accepts again once the quota resets or the plan is upgraded."""
        warn_once(
            "quota",
            "llmobserve: the account's monthly event quota is used up: %s. Events are dropped "
            "(counted as failed in llmobserve.stats()) until it resets or the plan is upgraded.",
            answer.error_message(),
        )

    def _warn_retrying(self, answer: Answer) -> None:
        if answer.status is None:
            warn_once(
                "net",
                "llmobserve: cannot reach the collector at %s (%s); retrying in the background.",
                self.options.collector_url,
                answer.problem,
            )
        else:
            warn_once(
                f"status-{answer.status}",
                "llmobserve: the collector answered HTTP %d (%s); retrying in the background.",
                answer.status,
                answer.error_message(),
            )

    def _delay(self, attempt: int, answer: Answer) -> float:
        if answer.retry_after is not None:
            return answer.retry_after
        ceiling = min(MAX_BACKOFF, self.options.retry_backoff * 2**attempt)
        return random.uniform(0, ceiling)

    def _pause(self, delay: float) -> bool:
        """Sleep `delay` seconds before a retry; False when shutdown's deadline comes first."""
        end = time.monotonic() + delay
        if not self._wake.wait(delay):
            return True
        if self._stop_by is None or end > self._stop_by:  # woken by shutdown()
            return False
        time.sleep(max(0.0, end - time.monotonic()))
        return True

    def _time_left(self, limit: float) -> float:
        if self._stop_by is None:
            return limit
        return min(limit, self._stop_by - time.monotonic())
