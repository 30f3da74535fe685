"""OTLP attribute lists (`repeated KeyValue`) as plain Python values, with a cap on how many a
span may carry: the OpenTelemetry SDKs keep 128 by default, so a span with thousands is broken
(or hostile) and is refused on its own rather than parsed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

MAX_ATTRIBUTES = 1000
"""The most attributes one span (or resource) may carry."""
_MAX_DEPTH = 8


class TooManyAttributes(ValueError):
    pass


def attribute_map(attributes: Sequence[KeyValue]) -> dict[str, Any]:
    """`{key: value}`; a later duplicate key wins, as in the SDKs. Raises TooManyAttributes."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise TooManyAttributes(
            f"has {len(attributes):,} attributes; at most {MAX_ATTRIBUTES:,} are accepted"
        )
    result: dict[str, Any] = {}
    for item in attributes:
        value = item.value
        kind = value.WhichOneof("value")
        if kind in _SCALARS:
            result[item.key] = getattr(value, kind)
        else:
            result[item.key] = plain_value(value)
    return result


_SCALARS = frozenset(("string_value", "int_value", "double_value", "bool_value"))


def plain_value(value: AnyValue, depth: int = 0) -> Any:
    """A string, bool, int, float, bytes, list or dict (None when unset or nested too deep)."""
    kind = value.WhichOneof("value")
    if kind is None or depth > _MAX_DEPTH:
        return None
    if kind == "array_value":
        return [plain_value(item, depth + 1) for item in value.array_value.values]
    if kind == "kvlist_value":
        return {item.key: plain_value(item.value, depth + 1) for item in value.kvlist_value.values}
    return getattr(value, kind)
