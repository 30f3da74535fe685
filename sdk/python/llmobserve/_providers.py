"""The `providers` option of `init()`: what the application says about the servers its
OpenAI-compatible clients call.

    llmobserve.init(providers={
        "https://llm.internal:8000": "vllm",                       # the provider's name
        "https://gw.example.com": {"name": "acme", "stream_usage": False},
        "localhost:11434": {"stream_usage": True},                 # keep the name, ask for usage
    })

A key is a URL or a bare `host[:port]`; its scheme and path are ignored. A key with a port
matches that port only; one without matches every port of the host. A value is the provider's
name (a string), or a dict with `name` and/or `stream_usage` (True: streamed calls ask the server
for their usage with `stream_options.include_usage`; False: they never do).

Like every option, a value that cannot be used is left out with ONE warning; `init()` never
raises. The result is a tuple (hashable, comparable: `init()` twice with the same providers does
nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmobserve._values import describe, invalid

MAX_NAME = 64


@dataclass(frozen=True)
class HostRule:
    """What is known of one host: its provider's name (None: the default) and whether streamed
    calls may ask it for usage (None: the default)."""

    name: str | None = None
    stream_usage: bool | None = None


HostKey = tuple[str, "int | None"]  # (lower-case host, port or None for every port)
ProviderRules = tuple[tuple[HostKey, HostRule], ...]


def host_key(text: str) -> HostKey | None:
    """'https://LLM.internal:8000/v1' -> ('llm.internal', 8000); 'llm.internal' -> (.., None)."""
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text if "//" in text else "//" + text)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    if not host:
        return None
    return host.lower(), port


def provider_rules(value: object) -> ProviderRules:
    """The usable entries of `providers=`; each unusable one is left out with a warning."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        invalid("init", "providers", value, "a dict of URL -> name", "it was left out")
        return ()
    rules: dict[HostKey, HostRule] = {}
    try:
        items = list(value.items())
    except Exception:  # the application's own mapping type failed
        invalid("init", "providers", value, "a dict of URL -> name", "it was left out")
        return ()
    for url, described in items:
        key = host_key(url) if isinstance(url, str) else None
        rule = _rule(described)
        if key is None or rule is None:
            invalid(
                "init",
                f"providers[{describe(url)}]",
                described,
                'a provider name or {"name": str, "stream_usage": bool} under a URL or host',
                "that entry was left out",
            )
            continue
        rules[key] = rule
    return tuple(sorted(rules.items(), key=lambda item: (item[0][0], item[0][1] or 0)))


def _rule(value: object) -> HostRule | None:
    if isinstance(value, str):
        name = _name(value)
        return None if name is None else HostRule(name=name)
    if not isinstance(value, Mapping) or not value or set(value) - {"name", "stream_usage"}:
        return None
    name = value.get("name")
    stream_usage = value.get("stream_usage")
    if name is not None and (not isinstance(name, str) or _name(name) is None):
        return None
    if stream_usage is not None and not isinstance(stream_usage, bool):
        return None
    return HostRule(name=None if name is None else _name(name), stream_usage=stream_usage)


def _name(text: str) -> str | None:
    name = text.strip()
    return name if 0 < len(name) <= MAX_NAME and "\x00" not in name else None


def find_rule(rules: ProviderRules, host: str, port: int | None) -> HostRule | None:
    """The application's rule for `host`:`port` (an exact port first, then the host's)."""
    found = None
    for (rule_host, rule_port), rule in rules:
        if rule_host == host:
            if rule_port == port:
                return rule
            if rule_port is None:
                found = rule
    return found
