"""One version for both packages, written in the repository's VERSION file."""

from __future__ import annotations

import re
from pathlib import Path

import llmobserve
import llmobserve_server

ROOT = Path(__file__).parents[3]


def released_version() -> str:
    return (ROOT / "VERSION").read_text().strip()


def test_the_version_file_holds_one_pep440_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", released_version())


def test_the_sdk_reports_the_version_file() -> None:
    assert llmobserve.__version__ == released_version()


def test_the_server_reports_the_version_file() -> None:
    assert llmobserve_server.__version__ == released_version()


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{released_version()}]" in changelog
