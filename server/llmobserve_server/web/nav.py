"""The sidebar, as data: a page group adds its entry here and base.html draws it. Staff also
get the operator console (`navigation_for`).

An item is active on its own path and below it (`/runs` is active on `/runs/abc`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str  # a name known to components/icons.html
    owner_only: bool = False  # shown only to the account's owners

    def is_active(self, path: str) -> bool:
        if self.href == "/":
            return path == "/"
        return path == self.href or path.startswith(self.href + "/")


@dataclass(frozen=True)
class NavSection:
    title: str | None
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(
        None,
        (
            NavItem("Dashboard", "/", "home"),
            NavItem("Runs", "/runs", "runs"),
            NavItem("Costs", "/costs", "costs"),
            NavItem("Agents", "/agents", "agents"),
            NavItem("Customers", "/customers", "customers"),
            NavItem("Budgets", "/budgets", "costs"),
        ),
    ),
    NavSection(
        "Settings",
        (
            NavItem("API keys", "/settings/api-keys", "key"),
            NavItem("Prices", "/settings/prices", "tag"),
            NavItem("Team", "/settings/team", "team"),
            NavItem("Profile", "/settings/profile", "user"),
            NavItem("Billing", "/settings/billing", "card"),
            NavItem("Audit log", "/settings/audit", "shield", owner_only=True),
        ),
    ),
    NavSection(None, (NavItem("Getting started", "/onboarding", "rocket"),)),
)

STAFF_SECTION = NavSection("Operator", (NavItem("Console", "/admin", "logo"),))


def navigation_for(is_staff: bool) -> tuple[NavSection, ...]:
    """The sidebar of a signed-in user: everyone's, plus the console for staff."""
    return NAVIGATION + (STAFF_SECTION,) if is_staff else NAVIGATION
