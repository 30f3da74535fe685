"""What a reader copies must work where they run it, and fail loudly where it cannot: every shell
sample (the docs site's and the READMEs') takes the server's address from `$LLMOBSERVE_URL`,
every `curl` fails on an HTTP error (or prints the status it shows), no runnable sample carries a
fixed date that the default 30-day range or a plan's retention would leave behind, and the text
describing the onboarding counts the steps it has."""

from __future__ import annotations

import re

import pytest

from llmobserve_server.web.onboarding import STEPS
from tests.docs.markdown_samples import DOCS, ROOT, RUNNABLE, Block, _blocks_of, blocks

READMES = ("README.md", "sdk/python/README.md")
STEPS_TEMPLATE = ROOT / "server/llmobserve_server/web/templates/onboarding/_frame.html"
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}")  # not a model snapshot (gpt-4o-2024-08-06)
_PYTHON_DATE = re.compile(r"\b(?:datetime|date)\(\s*\d{4}")


def shell_blocks() -> list[Block]:
    readme_blocks = [
        block for name in READMES for block in _blocks_of(f"../{name}", (ROOT / name).read_text())
    ]
    return [b for b in blocks() + readme_blocks if b.language in ("bash", "sh", "shell")]


def curl_commands(code: str) -> list[str]:
    """Each `curl …` invocation, continuation lines joined, up to its pipe or `$( … )` end."""
    logical = re.sub(r"\s*\\\n\s*", " ", code)
    found = []
    for line in logical.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in re.finditer(r"(?<![\w-])curl\s", line):
            rest = line[match.start() :]
            found.append(re.split(r"\s\|\s|\s\|$|\)\s*$|;\s", rest)[0])
    return found


def fails_loudly(command: str) -> bool:
    short = "".join(re.findall(r"(?<=\s)-([A-Za-z]+)(?=\s)", f" {command} "))
    fails = "f" in short or "--fail" in command
    shows_status = "%{http_code}" in command  # a sample that shows an error prints its status
    quiet_errors = "s" in short and "S" not in short and "--show-error" not in command
    return (fails or shows_status) and not quiet_errors


CURLS = [
    (block.where, command) for block in shell_blocks() for command in curl_commands(block.code)
]


def test_the_samples_have_curl_commands_to_check() -> None:
    assert len(CURLS) > 20


@pytest.mark.parametrize(
    ("where", "command"), CURLS, ids=[f"{w}#{i}" for i, (w, _) in enumerate(CURLS)]
)
def test_every_curl_sample_fails_loudly_on_an_http_error(where: str, command: str) -> None:
    assert fails_loudly(command), (
        f"{where}: use `curl -fsS` (or print `-w '%{{http_code}}'` where the error is the "
        f"point) so a wrong address or key stops with an error: {command}"
    )


@pytest.mark.parametrize(
    ("where", "command"), CURLS, ids=[f"{w}#{i}" for i, (w, _) in enumerate(CURLS)]
)
def test_every_curl_sample_takes_the_server_from_llmobserve_url(where: str, command: str) -> None:
    assert re.search(r"\$\{?LLMOBSERVE_URL\}?", command) and "://" not in command, (
        f'{where}: write the address as "$LLMOBSERVE_URL/…" (one variable a reader sets once), '
        f"not a literal URL or another variable: {command}"
    )


def test_the_rules_catch_what_they_are_for() -> None:
    assert not fails_loudly("curl -s http://x/v1/ping")
    assert not fails_loudly("curl -f -s $LLMOBSERVE_URL/v1/ping")  # -s hides the error
    assert fails_loudly('curl -fsS "$LLMOBSERVE_URL/v1/ping"')
    assert fails_loudly("curl -sS -o a.json -w '%{http_code}\\n' \"$LLMOBSERVE_URL/v1/ping\"")
    assert curl_commands('X=$(curl -fsS \\\n  "$U/a" | jq .x)\ncurl -fsS "$U/b"') == [
        'curl -fsS "$U/a"',
        'curl -fsS "$U/b"',
    ]


@pytest.mark.parametrize(
    "block",
    [b for b in blocks() if b.language in RUNNABLE],
    ids=lambda block: block.where,
)
def test_runnable_samples_compute_their_timestamps(block: Block) -> None:
    """A fixed date falls out of the dashboard's default 30-day range (and a plan's retention)
    a few weeks after the docs are written: samples use `date -u …` or `datetime.now()`."""
    assert not _DATE.search(block.code), f"{block.where}: {_DATE.search(block.code)}"
    assert not _PYTHON_DATE.search(block.code), block.where


@pytest.mark.parametrize("name", READMES)
def test_readme_samples_compute_their_timestamps(name: str) -> None:
    for block in _blocks_of(name, (ROOT / name).read_text()):
        if block.language in RUNNABLE | {"sh", "shell"}:
            assert not _DATE.search(block.code), f"{name}:{block.line}"


def test_the_getting_started_page_counts_the_onboarding_steps() -> None:
    page = (DOCS / "getting-started" / "sign-up.md").read_text()
    count = len(STEPS)
    assert f"takes you through {_NUMBERS[count]} steps" in page
    listed = re.findall(r"^\d+\. \*\*(.+?)\*\*", page.split("## Onboarding")[1], re.M)
    assert listed == [step.title for step in STEPS]


def test_the_onboarding_page_counts_its_own_steps() -> None:
    frame = STEPS_TEMPLATE.read_text()
    assert f"{_NUMBERS[len(STEPS)].capitalize()} steps" in frame
