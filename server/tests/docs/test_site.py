"""The docs site builds with `mkdocs build --strict` (no broken link, image, anchor or
reference), loads nothing from another origin, and its tables agree with the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llmobserve_server.billing.plans import PLANS, Plan
from llmobserve_server.config import Settings
from tests.docs.markdown_samples import DOCS, ROOT

_EXTERNAL_ASSET = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]+\"[^>]*>", re.I
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_site_builds_strictly_with_every_section(site: Path) -> None:
    for page in ("getting-started/quick-start", "sdk/python-api", "dashboard/runs", "api/events"):
        assert (site / page / "index.html").is_file()
    assert (site / "self-hosting" / "configuration" / "index.html").is_file()


def test_the_sdk_reference_is_generated_from_the_docstrings(site: Path) -> None:
    html = (site / "sdk" / "python-api" / "index.html").read_text()
    for name in ("init", "run", "section", "customer", "agent", "track", "flush", "ping"):
        assert f'id="llmobserve.{name}"' in html, name


def test_no_page_loads_anything_from_another_origin(site: Path) -> None:
    offenders = {
        str(page.relative_to(site)): _EXTERNAL_ASSET.findall(page.read_text())
        for page in site.rglob("*.html")
    }
    assert not {page: found for page, found in offenders.items() if found}
    assert not [p for p in site.rglob("*") if "fonts.googleapis" in p.name]
    assert "fonts.googleapis" not in "".join(p.read_text() for p in site.rglob("*.html"))


def test_every_server_setting_is_in_the_configuration_table() -> None:
    table = (DOCS / "self-hosting" / "configuration.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.M))
    missing = sorted(name.upper() for name in Settings.model_fields if name.upper() not in rows)
    assert not missing, f"add these settings to docs/self-hosting/configuration.md: {missing}"


def plan_row(plan: Plan) -> str:
    def count(value: int | None, unit: str = "") -> str:
        return "unlimited" if value is None else f"{value:,}{unit}"

    price = "custom" if plan.price_usd_per_month is None else f"${plan.price_usd_per_month}"
    if plan.price_usd_per_month:
        price += " / month"
    cells = [
        plan.name,
        count(plan.events_per_month),
        count(plan.retention_days, " days"),
        count(plan.max_members),
        price,
    ]
    return "| " + " | ".join(cells) + " |"


@pytest.mark.parametrize("plan", list(PLANS.values()), ids=lambda plan: plan.tier)
def test_the_plans_table_matches_the_plans(plan: Plan) -> None:
    assert plan_row(plan) in (DOCS / "pricing.md").read_text().splitlines()
