"""The deprecation warning of llmobserve 0.3's calls."""

from __future__ import annotations

import warnings


class LLMObserveDeprecationWarning(FutureWarning):
    """A call of llmobserve 0.3 that still works, and the call that replaces it.

    A `FutureWarning` (not a `DeprecationWarning`) so that Python shows it by default, once per
    call site. To hide it:
    `warnings.filterwarnings("ignore", category=llmobserve.LLMObserveDeprecationWarning)`.
    """


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that `llmobserve.<old>` (0.3) is deprecated, naming the call that replaces it."""
    warnings.warn(
        f"llmobserve.{old} is llmobserve 0.3's API and is deprecated: use {new} instead "
        "(docs/sdk/upgrading-from-0.3.md maps every 0.3 call).",
        LLMObserveDeprecationWarning,
        stacklevel=stacklevel,
    )
