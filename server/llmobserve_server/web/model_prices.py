"""/settings/prices: the account's own model prices (add, edit, delete) and the models whose
events had no price. The rules live in `pricing/price_input.py` and `pricing/overrides_store.py`,
shared with `/v1/prices`."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.http.deps import DbDep
from llmobserve_server.money import format_usd
from llmobserve_server.pricing.overrides_store import (
    delete_price,
    find_price,
    list_prices,
    save_price,
    unpriced_models,
)
from llmobserve_server.pricing.price_input import PRICE_FIELDS, InvalidPrice, parse_price_input
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(prefix="/settings/prices", include_in_schema=False)

PAGE = "/settings/prices"
FORM_FIELDS = ("provider", "model", *PRICE_FIELDS)


def _plain(amount: Decimal | None) -> str:
    """A stored price as the form shows it: "2.50", "0.075", "" when unset."""
    if amount is None:
        return ""
    text = format_usd(amount).rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _page(
    request: Request,
    viewer: ViewerDep,
    db: DbDep,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    editing: bool = False,
) -> HTMLResponse:
    account_id = viewer.account.id
    return render(
        request,
        "settings/prices.html",
        viewer=viewer,
        prices=list_prices(db, account_id=account_id),
        unpriced=unpriced_models(db, account_id=account_id),
        values=values,
        errors=errors or {},
        editing=editing,
        plain=_plain,
    )


@router.get("")
def prices_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    """`?provider=&model=` pre-fills the form: with the saved prices when the model has some
    (edit), otherwise empty prices for it (the "Add price" buttons)."""
    provider = request.query_params.get("provider", "").strip().lower()
    model = request.query_params.get("model", "").strip()
    values = {"provider": provider, "model": model}
    existing = (
        find_price(db, account_id=viewer.account.id, provider=provider, model=model)
        if model
        else None
    )
    if existing is not None:
        values.update({name: _plain(getattr(existing, name)) for name in PRICE_FIELDS})
    return _page(request, viewer, db, values=values, editing=existing is not None)


@router.post("", response_model=None)
def save(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    try:
        price = parse_price_input(values)
    except InvalidPrice as exc:
        return _page(request, viewer, db, values=values, errors=exc.errors)
    saved = save_price(db, account_id=viewer.account.id, price=price)
    db.commit()
    label = f"{price.provider} / {price.model}" if price.provider else price.model
    verb = "added" if saved.created else "updated"
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, f"Price for {label} {verb}. Events received from now on use it.")
    return response


@router.post("/{price_id}/delete", response_model=None)
def delete(price_id: uuid.UUID, viewer: ViewerDep, _form: SignedInForm, db: DbDep) -> Response:
    deleted = delete_price(db, account_id=viewer.account.id, price_id=price_id)
    db.commit()
    label = f"{deleted.provider} / {deleted.model}" if deleted.provider else deleted.model
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, f"Price for {label} deleted. New events use the public catalogue again.")
    return response
