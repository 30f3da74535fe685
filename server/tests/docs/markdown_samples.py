"""The code samples of the docs site: every fenced block of docs/**/*.md, with the marker that
precedes it.

A block of a runnable language (python, bash, javascript) must be marked, in the line before its
fence, with either `<!-- sample: NAME -->` (the suite runs it against a real server and checks
what the server received: checks.py) or `<!-- not-run: REASON -->` (kept rare: installing from PyPI,
serving forever, Docker). Other languages (json, text, sql and configuration files) are not run;
json blocks must parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[3]
DOCS = ROOT / "docs"
RUNNABLE = {"python", "bash", "javascript"}
NOT_RUN = {"json", "text", "sql", "yaml", "nginx", "toml", "ini", "dockerfile"}  # data, config

_MARKER = re.compile(r"<!--\s*(sample|not-run):\s*(.*?)\s*-->")
_FENCE = re.compile(r"^(`{3,})(\S*)")


@dataclass(frozen=True)
class Block:
    page: str  # relative to docs/
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    sample: str | None  # the name in `<!-- sample: NAME -->`
    not_run: str | None  # the reason in `<!-- not-run: REASON -->`

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def blocks(docs: Path = DOCS) -> list[Block]:
    found: list[Block] = []
    for path in sorted(docs.rglob("*.md")):
        found += _blocks_of(path.relative_to(docs).as_posix(), path.read_text())
    return found


def samples(docs: Path = DOCS) -> list[Block]:
    return [block for block in blocks(docs) if block.sample]


def _blocks_of(page: str, text: str) -> list[Block]:
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index].strip())
        if not fence:
            index += 1
            continue
        start, ticks, language = index, fence.group(1), fence.group(2)
        index += 1
        while index < len(lines) and lines[index].strip() != ticks:
            index += 1
        code = "\n".join(lines[start + 1 : index]) + "\n"
        marker = _MARKER.fullmatch(lines[start - 1].strip()) if start else None
        kind, value = marker.groups() if marker else (None, None)
        found.append(
            Block(
                page=page,
                line=start + 1,
                language=language,
                code=code,
                sample=value if kind == "sample" else None,
                not_run=value if kind == "not-run" else None,
            )
        )
        index += 1
    return found
