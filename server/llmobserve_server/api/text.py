"""`Text`: a string field of a JSON body that may not contain U+0000 (NUL), which PostgreSQL can
neither store in text nor compare text with (see `nul_refusal`). A NUL is a 422 naming the
field, like any other invalid value."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


WITHOUT_NUL = AfterValidator(_without_nul)
"""The check alone, to put after other constraints: `Annotated[str, StringConstraints(…),
WITHOUT_NUL]` (nested the other way round, pydantic strips the whitespace but no longer checks
`min_length` after it)."""

Text = Annotated[str, WITHOUT_NUL]
