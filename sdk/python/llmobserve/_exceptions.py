"""The SDK's exceptions. Only `llmobserve.ping()` raises them; nothing else in the SDK raises
into the host application.

    LLMObserveError
    ├── NotConfiguredError          ping() before init() with an API key (or the SDK is disabled)
    ├── CollectorUnreachableError   no answer: connection refused, DNS, TLS or a timeout
    └── CollectorError              the collector answered with an error status
        └── AuthenticationError     401: the API key is unknown or revoked
    └── BudgetExceededError         never raised yet: llmobserve 0.3's spending caps (see below)
"""

from __future__ import annotations


class LLMObserveError(Exception):
    """Base class of every exception the SDK raises (only `ping()` raises)."""


class NotConfiguredError(LLMObserveError):
    """`ping()` was called while the SDK is not initialized with an API key."""


class CollectorUnreachableError(LLMObserveError):
    """The collector could not be reached (network error or timeout)."""


class CollectorError(LLMObserveError):
    """The collector answered with an error status."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class AuthenticationError(CollectorError):
    """The collector refused the API key (unknown or revoked)."""


class BudgetExceededError(LLMObserveError):
    """A spending cap is reached. llmobserve 0.3 raised it before a call over a cap; this SDK
    does not enforce budgets yet, so nothing raises it: it stays importable so that 0.3 code
    that catches it runs unchanged.

    Attributes:
        exceeded_caps: The caps that were reached (0.3's list of dicts).
    """

    def __init__(self, message: object = "", exceeded_caps: object = None) -> None:
        super().__init__(message)
        self.exceeded_caps = exceeded_caps if isinstance(exceeded_caps, list) else []
