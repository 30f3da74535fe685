"""Event bodies whose numbers are extreme (counts and costs at, past and far past their bounds,
as integers, floats and decimal strings): every batch is answered 200, the extreme event stored
or rejected on its own, never a 5xx, and the valid event beside it always stored. Issue 13 found
unit counts that overflowed the cost column and lost whole batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmobserve_server.testing import RunningServer
from tests.support.factories import event, key_client, sign_up

EXTREME_NUMBERS = st.one_of(
    st.sampled_from([0, 10**9, 10**9 + 1, 2**31, 2**53 + 1, 2**63, 2**64, 10**30, -1]),
    st.sampled_from([1e9, 1e15, 1e300, -0.0, 5e-324, 1.7976931348623157e308]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
COSTS = st.one_of(
    EXTREME_NUMBERS,
    st.sampled_from(["100000", "100000.0000000001", "1e300", "1E+5", "0.00000000001", "NaN"]),
)
NUMERIC_FIELDS = {
    "input_tokens": EXTREME_NUMBERS,
    "cached_input_tokens": EXTREME_NUMBERS,
    "output_tokens": EXTREME_NUMBERS,
    "reasoning_tokens": EXTREME_NUMBERS,
    "duration_ms": EXTREME_NUMBERS,
    "cost_usd": COSTS,
}
PRICED_AS = st.sampled_from(
    [("pinecone", None), ("openai", "gpt-4o"), ("anthropic", "claude-3-opus-latest"), ("x", "y")]
)


@st.composite
def extreme_events(draw: st.DrawFn) -> dict[str, Any]:
    provider, model = draw(PRICED_AS)
    fields = draw(st.fixed_dictionaries({}, optional=NUMERIC_FIELDS))
    units = draw(
        st.dictionaries(st.sampled_from(["read_units", "write_units"]), EXTREME_NUMBERS, max_size=2)
    )
    return event(provider=provider, model=model, units=units or None, **fields)


@pytest.fixture(scope="module")
def keyed(fuzz_server: RunningServer) -> Iterator[httpx.Client]:
    user = sign_up(fuzz_server.base_url)
    with key_client(fuzz_server.base_url, user.create_key("fuzz")) as client:
        yield client
    user.client.close()


@settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(extreme=extreme_events())
def test_an_event_with_extreme_numbers_never_costs_the_batch(
    keyed: httpx.Client, extreme: dict[str, Any]
) -> None:
    response = keyed.post("/v1/events", json={"events": [event(), extreme]})
    assert response.status_code == 200, f"{extreme!r}: {response.text[:500]}"
    body = response.json()
    assert 0 not in [r["index"] for r in body["rejected"]], body
    assert body["accepted"] + len(body["rejected"]) == 2, body
