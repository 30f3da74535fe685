"""Group commit (ingest/pipeline.py): concurrent batches share one transaction, and each is
answered as if it had been stored alone, in arrival order. On both databases, with the real
pipeline of this process writing to the running test server's database: batches are prepared
(key checked, priced) as the route prepares them, then queued for one group."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine, create_session_factory
from llmobserve_server.domain_errors import Throttled
from llmobserve_server.ingest.batches import PricedBatch, StoredBatch
from llmobserve_server.ingest.pipeline import IngestPipeline
from llmobserve_server.ingest.service import read_batch
from llmobserve_server.observability.metrics import INGEST_GROUP_BATCHES, INGEST_GROUPS_SPLIT
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import count, execute, set_tier, uuid_param
from tests.support.factories import SignedInUser, event, sign_up
from tests.support.usage_db import set_month_usage

LONG_WAIT = 30.0  # seconds: each group below closes when its last batch is queued, not on time


@pytest.fixture
def session_factory(server: RunningServer) -> Iterator[sessionmaker[DbSession]]:
    settings = Settings(database_url=server.full_access_url, llmobserve_data_dir=server.data_dir)
    engine = create_db_engine(settings)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def make_pipeline(
    session_factory: sessionmaker[DbSession],
) -> Iterator[Callable[[int], IngestPipeline]]:
    """A pipeline whose next group closes once `events` events are queued."""
    made: list[IngestPipeline] = []

    def make(events: int) -> IngestPipeline:
        made.append(IngestPipeline(session_factory, max_events=events, max_wait=LONG_WAIT))
        return made[-1]

    yield make
    for pipeline in made:
        pipeline.close(timeout=30)


class Sender:
    """An account with an API key, preparing batches as the route does."""

    def __init__(self, user: SignedInUser) -> None:
        self.user = user
        self.key = user.create_key()

    def prepare(self, pipeline: IngestPipeline, events: list[dict[str, Any]]) -> PricedBatch:
        return pipeline.prepare(self.key, lambda: read_batch(events))


@pytest.fixture
def senders(base_url: str) -> Iterator[list[Sender]]:
    users = [sign_up(base_url) for _ in range(3)]
    yield [Sender(user) for user in users]
    for user in users:
        user.client.close()


def stored(server: RunningServer, account_id: str) -> int:
    return count(
        server,
        "SELECT count(*) FROM trace_events WHERE account_id = :id",
        id=uuid_param(server, account_id),
    )


def result_of(future: Future[Any]) -> StoredBatch:
    outcome = future.result(timeout=60)
    assert isinstance(outcome, StoredBatch)
    return outcome


def sample(metric: Any, suffix: str) -> float:
    """This process's value of the metric's sample named …`suffix` (`_count`, `_total`)."""
    values = [s.value for m in metric.collect() for s in m.samples if s.name.endswith(suffix)]
    assert len(values) == 1, values
    return float(values[0])


def observed(histogram: Any) -> tuple[float, float]:
    return sample(histogram, "_count"), sample(histogram, "_sum")


def test_concurrent_batches_of_several_accounts_share_one_commit_and_get_their_own_answers(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    bodies = [
        [event() for _ in range(5)] + [{"id": "not-a-uuid"}],  # index 5 rejected
        [{"timestamp": "yesterday"}] + [event() for _ in range(3)],  # index 0 rejected
        [event() for _ in range(7)],
    ]
    repeated = event()
    bodies[2] += [repeated, repeated]  # the second one is a duplicate within its batch
    pipeline = make_pipeline(sum(len(body) for body in bodies))
    groups_before, batches_before = observed(INGEST_GROUP_BATCHES)

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = list(
            pool.map(
                lambda pair: pipeline.submit(pair[0].prepare(pipeline, pair[1])),
                zip(senders, bodies, strict=True),
            )
        )
    results = [result_of(future).result for future in futures]

    assert [(r.accepted, r.duplicates, [x.index for x in r.rejected]) for r in results] == [
        (5, 0, [5]),
        (3, 0, [0]),
        (8, 1, []),
    ]
    assert [stored(server, sender.user.account_id) for sender in senders] == [5, 3, 8]
    assert observed(INGEST_GROUP_BATCHES) == (groups_before + 1, batches_before + 3)
    if server.backend == "postgresql":  # one transaction wrote them all: one xmin
        ids = [uuid_param(server, sender.user.account_id) for sender in senders]
        transactions = count(
            server,
            "SELECT count(DISTINCT xmin::text) FROM trace_events WHERE account_id = ANY(:ids)",
            ids=ids,
        )
        assert transactions == 1


def test_a_batch_the_database_refuses_fails_alone_and_the_others_of_its_group_are_stored(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    """The poison: an account deleted after its batch's key check, before the group's insert
    (its events' foreign key fails on both databases)."""
    first, doomed, last = senders
    pipeline = make_pipeline(12)
    batches = [
        first.prepare(pipeline, [event() for _ in range(4)]),
        doomed.prepare(pipeline, [event() for _ in range(4)]),
        last.prepare(pipeline, [event() for _ in range(4)]),
    ]
    execute(
        server,
        "DELETE FROM accounts WHERE id = :id",
        id=uuid_param(server, doomed.user.account_id),
    )
    splits_before = sample(INGEST_GROUPS_SPLIT, "_total")

    futures = [pipeline.submit(batch) for batch in batches]

    assert result_of(futures[0]).result.accepted == 4
    with pytest.raises(IntegrityError):
        futures[1].result(timeout=60)
    assert result_of(futures[2]).result.accepted == 4
    assert [stored(server, s.user.account_id) for s in (first, last)] == [4, 4]
    assert sample(INGEST_GROUPS_SPLIT, "_total") == splits_before + 1


def test_the_quota_is_crossed_in_arrival_order_within_a_group(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    sender = senders[0]
    set_tier(server, sender.user.account_id, "free")
    set_month_usage(server, sender.user.account_id, 9_950)
    pipeline = make_pipeline(3 * 40)
    batches = [sender.prepare(pipeline, [event() for _ in range(40)]) for _ in range(3)]

    first, second, third = (pipeline.submit(batch) for batch in batches)

    assert result_of(first).result.accepted == 40
    crossing = result_of(second)
    assert crossing.result.accepted == 10
    assert [r.index for r in crossing.result.rejected] == list(range(10, 40))
    assert {r.error["code"] for r in crossing.result.rejected} == {"quota_exceeded"}
    assert (crossing.counted, crossing.used_after) == (10, 10_000)  # the 100 % email's batch
    with pytest.raises(Throttled):
        third.result(timeout=60)
    assert stored(server, sender.user.account_id) == 50


def test_a_resend_in_a_group_near_the_limit_takes_no_room_from_a_new_event(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    sender = senders[0]
    set_tier(server, sender.user.account_id, "free")
    earlier = [event() for _ in range(30)]
    before = make_pipeline(30)
    result_of(before.submit(sender.prepare(before, earlier)))
    set_month_usage(server, sender.user.account_id, 9_970)
    pipeline = make_pipeline(60)

    resend = pipeline.submit(sender.prepare(pipeline, earlier))
    new = pipeline.submit(sender.prepare(pipeline, [event() for _ in range(30)]))

    assert result_of(resend).result.duplicates == 30
    assert result_of(new).result.accepted == 30
    assert stored(server, sender.user.account_id) == 60


def test_an_id_is_new_for_the_first_batch_that_sends_it_within_a_group_and_across_groups(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    sender = senders[0]
    events = [event() for _ in range(15)]
    pipeline = make_pipeline(10 + 11)
    first = pipeline.submit(sender.prepare(pipeline, events[:10]))
    overlapping = pipeline.submit(sender.prepare(pipeline, events[4:15]))
    assert result_of(first).result.accepted == 10
    assert (result_of(overlapping).result.accepted, result_of(overlapping).result.duplicates) == (
        5,
        6,
    )

    later = make_pipeline(2)
    resent = later.submit(sender.prepare(later, [events[0], event()]))
    assert (result_of(resent).result.accepted, result_of(resent).result.duplicates) == (1, 1)
    assert stored(server, sender.user.account_id) == 16


def test_closing_the_pipeline_writes_what_is_queued_before_it_stops(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    pipeline = make_pipeline(10_000)  # the group would wait LONG_WAIT for more
    sender = senders[0]
    queued = pipeline.submit(sender.prepare(pipeline, [event() for _ in range(3)]))

    pipeline.close(timeout=LONG_WAIT / 2)

    assert queued.done() and result_of(queued).result.accepted == 3
    assert stored(server, sender.user.account_id) == 3
    with pytest.raises(RuntimeError):
        pipeline.submit(sender.prepare(pipeline, [event()]))


def test_a_group_of_one_account_writes_its_runs_and_rollups_once(
    server: RunningServer, senders: list[Sender], make_pipeline: Callable[[int], IngestPipeline]
) -> None:
    sender = senders[0]
    run_id = str(uuid.uuid4())
    pipeline = make_pipeline(6)
    halves = [[event(run_id=run_id, customer_id="acme") for _ in range(3)] for _ in range(2)]

    for future in [pipeline.submit(sender.prepare(pipeline, half)) for half in halves]:
        result_of(future)

    account = uuid_param(server, sender.user.account_id)
    assert (
        count(
            server,
            "SELECT events FROM runs WHERE account_id = :id AND run_id = :run",
            id=account,
            run=run_id,
        )
        == 6
    )
    assert (
        count(server, "SELECT sum(events) FROM usage_hourly WHERE account_id = :id", id=account)
        == 6
    )
    assert (
        count(
            server,
            "SELECT sum(events) FROM usage_daily WHERE account_id = :id AND dimension = 'customer'",
            id=account,
        )
        == 6
    )
