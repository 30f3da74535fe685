"""A server without Stripe is self-hosted: new accounts get the self-hosted plan (no quota, no
member limit, no retention until RETENTION_DAYS), not the hosted Free plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmobserve_server.billing.plans import (
    FREE,
    PLANS,
    SAAS_PLANS,
    SELF_HOSTED,
    new_account_tier,
    retention_days_for,
)
from llmobserve_server.config import Settings
from llmobserve_server.testing import RunningServer
from tests.billing.conftest import tier_of
from tests.support.databases import server_for
from tests.support.factories import SignedInUser, sign_up


def test_a_server_without_stripe_gives_new_accounts_the_self_hosted_plan() -> None:
    assert new_account_tier(default_tier=None, billing_enabled=False) == "self_hosted"


def test_a_server_with_stripe_gives_new_accounts_the_free_plan() -> None:
    assert new_account_tier(default_tier=None, billing_enabled=True) == "free"


@pytest.mark.parametrize("billing_enabled", [False, True])
def test_default_tier_chooses_the_plan_of_new_accounts(billing_enabled: bool) -> None:
    assert new_account_tier(default_tier="pro", billing_enabled=billing_enabled) == "pro"


def test_an_empty_default_tier_is_unset() -> None:
    assert Settings(default_tier="", retention_days="").new_account_tier == "self_hosted"


def test_the_self_hosted_plan_has_no_quota_and_no_member_limit() -> None:
    assert SELF_HOSTED.events_per_month is None and SELF_HOSTED.max_members is None
    assert SELF_HOSTED.allows_members(1000)


def test_the_self_hosted_plan_keeps_everything_until_the_operator_sets_retention_days() -> None:
    assert retention_days_for("self_hosted", self_hosted_days=None) is None
    assert retention_days_for("self_hosted", self_hosted_days=30) == 30
    assert retention_days_for("free", self_hosted_days=30) == FREE.retention_days


def test_the_self_hosted_plan_is_a_tier_but_not_for_sale() -> None:
    assert "self_hosted" in PLANS and "self_hosted" not in SAAS_PLANS


@pytest.fixture(scope="module")
def self_hosted_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server as `make run` starts it: no Stripe settings, no DEFAULT_TIER."""
    data_dir: Path = tmp_path_factory.mktemp(f"self-hosted-{backend}")
    with server_for(backend, data_dir, "self_hosted", {"DEFAULT_TIER": ""}) as running:
        yield running


@pytest.fixture
def self_hosted_user(self_hosted_server: RunningServer) -> Iterator[SignedInUser]:
    user = sign_up(self_hosted_server.base_url)
    yield user
    user.client.close()


def test_sign_up_on_a_server_without_stripe_gets_the_self_hosted_plan(
    self_hosted_user: SignedInUser,
) -> None:
    assert tier_of(self_hosted_user) == "self_hosted"


def test_billing_on_a_self_hosted_account_says_so_without_upgrade_prompts(
    self_hosted_user: SignedInUser,
) -> None:
    user = self_hosted_user
    page = user.client.get("/settings/billing")
    assert page.status_code == 200
    assert "data-self-hosted" in page.text and "Self-hosted" in page.text
    assert "data-upgrade" not in page.text and "Upgrade to Pro" not in page.text
    assert "not configured" not in page.text


def test_the_usage_meter_of_a_self_hosted_account_is_unlimited(
    self_hosted_user: SignedInUser,
) -> None:
    page = self_hosted_user.client.get("/settings/billing")
    assert "events (unlimited)" in page.text


def test_default_tier_free_keeps_the_free_plan_without_stripe(user: SignedInUser) -> None:
    """The suite's servers set DEFAULT_TIER=free (llmobserve_server.testing.run_server)."""
    assert tier_of(user) == "free"


def test_a_self_hosted_account_may_invite_members(self_hosted_user: SignedInUser) -> None:
    for teammate in ("one", "two"):
        response = self_hosted_user.client.post(
            "/settings/team/invitations",
            data={"email": f"{teammate}-{self_hosted_user.email}", "role": "member"},
        )
        assert response.status_code == 303, response.text
    team = self_hosted_user.client.get("/settings/team").text
    assert "upgrade" not in team.lower() and "includes 1 member" not in team
