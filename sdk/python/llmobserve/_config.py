"""What `init()` is told: arguments, environment variables and validated options.

LLMOBSERVE_API_KEY        the API key (`llmo_sk_…`) when `api_key` is not passed
LLMOBSERVE_COLLECTOR_URL  the collector when `collector_url` is not passed
LLMOBSERVE_ENABLED        `false`, `0`, `no` or `off` turns the SDK off
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import urlsplit

from llmobserve._hints import api_key_problem, collector_url_problem, quoted
from llmobserve._log import logger
from llmobserve._providers import ProviderRules, provider_rules
from llmobserve._values import describe

DEFAULT_COLLECTOR_URL = "https://api.llmobserve.com"
SERVER_MAX_BATCH = 1000  # the collector takes at most 1,000 events per request

_FALSE = frozenset({"false", "0", "no", "off"})
_Number = Union[int, float]


@dataclass(frozen=True)
class Options:
    """A validated configuration. The keyword options of `init()` are the fields after
    `collector_url`."""

    api_key: str
    collector_url: str
    max_queue_size: int = 10_000
    batch_size: int = 100
    flush_interval: float = 1.0
    shutdown_timeout: float = 2.0
    request_timeout: float = 5.0
    max_retries: int = 8
    retry_backoff: float = 0.5
    debug: bool = False
    providers: ProviderRules = ()  # see llmobserve._providers


# option -> (accepts floats, smallest, largest)
_BOUNDS: dict[str, tuple[bool, _Number, _Number]] = {
    "max_queue_size": (False, 1, 10_000_000),
    "batch_size": (False, 1, SERVER_MAX_BATCH),
    "flush_interval": (True, 0.001, 3600),
    "shutdown_timeout": (True, 0, 3600),
    "request_timeout": (True, 0.001, 600),
    "max_retries": (False, 0, 100),
    "retry_backoff": (True, 0.001, 60),
}
OPTION_NAMES = frozenset(_BOUNDS) | {"debug", "providers"}


def resolve(
    api_key: str | None, collector_url: str | None, options: Mapping[str, Any]
) -> Options | None:
    """The options `init()` runs with, or None (after ONE warning) when the SDK stays off."""
    if os.environ.get("LLMOBSERVE_ENABLED", "").strip().lower() in _FALSE:
        logger.warning(
            "llmobserve is disabled by LLMOBSERVE_ENABLED=%s: nothing will be recorded.",
            os.environ["LLMOBSERVE_ENABLED"],
        )
        return None
    key = (api_key or os.environ.get("LLMOBSERVE_API_KEY") or "").strip()
    if not key:
        logger.warning(
            "llmobserve: no API key, so nothing will be recorded. Pass api_key to "
            "llmobserve.init() or set LLMOBSERVE_API_KEY (create a key in Settings → API keys)."
        )
        return None
    if problem := api_key_problem(key):  # a placeholder from the docs, or a mangled copy
        logger.warning(problem)
        return None
    url = (collector_url or os.environ.get("LLMOBSERVE_COLLECTOR_URL") or "").strip()
    url = (url or DEFAULT_COLLECTOR_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        logger.warning(
            "llmobserve: collector URL %s is not an http(s) URL, so nothing will be recorded. "
            "Fix collector_url or LLMOBSERVE_COLLECTOR_URL (e.g. %s).",
            quoted(url),
            DEFAULT_COLLECTOR_URL,
        )
        return None
    if hint := collector_url_problem(url):
        logger.warning(hint)
    return Options(api_key=key, collector_url=url, **_valid_options(options))


def _valid_options(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - OPTION_NAMES)
    if unknown:
        logger.warning(
            "llmobserve.init(): unknown option(s) %s ignored; the options are: %s.",
            ", ".join(unknown),
            ", ".join(sorted(OPTION_NAMES)),
        )
    valid: dict[str, Any] = {}
    defaults = {f.name: f.default for f in dataclasses.fields(Options)}
    for name, value in options.items():
        if name not in OPTION_NAMES:
            continue
        if name == "providers":  # a dict, checked entry by entry
            valid[name] = provider_rules(value)
            continue
        problem = _problem(name, value)
        if problem:
            logger.warning(
                "llmobserve.init(): %s=%s %s; using the default %r.",
                name,
                describe(value),
                problem,
                defaults[name],
            )
        else:
            valid[name] = float(value) if name in _BOUNDS and _BOUNDS[name][0] else value
    return valid


def _problem(name: str, value: Any) -> str | None:
    if name == "debug":
        return None if isinstance(value, bool) else "is not True or False"
    floats, low, high = _BOUNDS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "is not a number" if floats else "is not a whole number"
    if isinstance(value, float) and not floats:
        return "is not a whole number"
    if not low <= value <= high:
        return f"is outside {low}..{high}"
    return None
