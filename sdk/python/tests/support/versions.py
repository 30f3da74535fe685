"""Skipping a test on releases of a client library that do not have the feature it is about.

`make test-sdk-oldest` runs the integration tests against the oldest openai, anthropic and
pinecone the SDK supports (constraints-oldest.txt). A test of a feature those releases do not
have yet (the Responses API, say) is skipped there, with the reason; never a test of ours.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest


def installed(library: str) -> tuple[int, ...]:
    """The installed release of `library`, as numbers: "1.40.0" -> (1, 40, 0)."""
    return tuple(int(part) for part in re.findall(r"\d+", version(library))[:3])


def needs(library: str, since: tuple[int, ...], feature: str) -> pytest.MarkDecorator:
    """Skip the test where the installed `library` is older than `since` (`feature` says what
    that release added, for the skip's reason)."""
    first = ".".join(map(str, since))
    return pytest.mark.skipif(
        installed(library) < since,
        reason=f"{library} {version(library)} has no {feature} (from {first})",
    )
