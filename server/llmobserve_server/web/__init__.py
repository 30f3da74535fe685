"""The HTML dashboard: server-rendered Jinja2 pages with htmx, served by the same app as the API.

One module per page group (`auth`, `onboarding`, `api_keys`, `dashboard`, …), each with its own
`router`; shared pieces are `viewer` (who is signed in), `csrf`, `templating.render`, `flash`,
`nav` (the sidebar as data) and the macros in `templates/components/`. Add a page group by
writing its module and template, and listing its router in `PAGE_ROUTERS`.
"""

from __future__ import annotations

from fastapi import FastAPI

from llmobserve_server.web import (
    admin,
    agents,
    api_docs,
    api_keys,
    audit,
    auth,
    billing,
    budgets,
    costs,
    customers,
    dashboard,
    email_verification,
    invitations,
    model_prices,
    onboarding,
    password_reset,
    plans_page,
    profile,
    runs,
    switch_account,
    team,
)
from llmobserve_server.web.errors import install_page_errors
from llmobserve_server.web.security import SecurityHeadersMiddleware
from llmobserve_server.web.static import static_files

PAGE_ROUTERS = (
    auth.router,
    dashboard.router,
    onboarding.router,
    api_keys.router,
    costs.router,
    agents.router,
    customers.router,
    budgets.router,
    runs.router,
    model_prices.router,
    password_reset.router,
    profile.router,
    team.router,
    invitations.router,
    email_verification.router,
    switch_account.router,
    billing.router,
    audit.router,
    plans_page.router,
    admin.router,
    api_docs.router,
)


def install_web(app: FastAPI) -> None:
    """Pages, /static and HTML error pages. Call after `install_error_handlers`."""
    app.mount("/static", static_files(), name="static")
    install_page_errors(app)
    app.add_middleware(SecurityHeadersMiddleware, hsts=app.state.settings.cookies_secure)
    for router in PAGE_ROUTERS:
        app.include_router(router)
