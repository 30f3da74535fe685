"""The ASGI and WSGI middleware under real servers: Starlette and FastAPI on uvicorn, Flask and
Django on wsgiref's HTTP server, each on 127.0.0.1 in this process, called over HTTP with httpx.
A request is a run named `METHOD /path`, with the customer from `X-Customer-ID`; a request that
carries `inject_headers()` is a `request` span of the caller's run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from support.accounts import Account, eventually
from support.servers import App, serve_asgi, serve_wsgi

import llmobserve
from llmobserve.integrations.web import ASGIMiddleware, WSGIMiddleware

Spans = list[dict[str, Any]]


def walk(spans: Spans) -> Iterator[dict[str, Any]]:
    for span in spans:
        yield span
        yield from walk(span["children"])


def record_call() -> dict[str, str]:
    """What a route does: a priced call, and the context it ran in."""
    llmobserve.track(
        "chat",
        provider="openai",
        model="gpt-4o-mini",
        operation="chat",
        input_tokens=100,
        output_tokens=10,
    )
    return llmobserve.export_context()


def starlette_app() -> App:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def chat(request: Any) -> JSONResponse:
        return JSONResponse(record_call())

    app = Starlette(routes=[Route("/chat", chat, methods=["POST"])])
    app.add_middleware(ASGIMiddleware)
    return app


def fastapi_app() -> App:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/chat")
    def chat() -> dict[str, str]:  # a sync route: FastAPI runs it in a thread
        return record_call()

    app.add_middleware(ASGIMiddleware)
    return app


def flask_app() -> App:
    from flask import Flask, jsonify

    app = Flask("llmobserve_test")

    @app.post("/chat")
    def chat() -> Any:
        return jsonify(record_call())

    app.wsgi_app = WSGIMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


def django_app(*middleware: str) -> App:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["127.0.0.1"],
            ROOT_URLCONF=__name__,
            SECRET_KEY="llmobserve tests",
            MIDDLEWARE=[],
        )
        django.setup()
    settings.MIDDLEWARE = list(middleware)
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIMiddleware(WSGIHandler()) if not middleware else WSGIHandler()


def _django_chat(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse(record_call())


def __getattr__(name: str) -> Any:  # Django's ROOT_URLCONF reads `urlpatterns` from here
    if name == "urlpatterns":
        from django.urls import path

        return [path("chat", _django_chat)]
    raise AttributeError(name)


SERVERS: dict[str, tuple[Callable[[], App], Callable[[App], Iterator[str]]]] = {
    "starlette": (starlette_app, serve_asgi),
    "fastapi": (fastapi_app, serve_asgi),
    "flask": (flask_app, serve_wsgi),
    "django": (django_app, serve_wsgi),
}


@pytest.fixture(params=sorted(SERVERS))
def server(request: pytest.FixtureRequest, start_sdk: Callable[..., None]) -> Iterator[str]:
    start_sdk()
    make_app, serve = SERVERS[request.param]
    yield from serve(make_app())


def run_spans(account: Account, run_id: str) -> dict[str, dict[str, Any]]:
    """The run's spans by name, once the request's span and the call's have arrived (an ASGI
    request's span ends after its response is sent: a flush right after may precede it)."""

    def arrived() -> dict[str, dict[str, Any]]:
        assert llmobserve.flush(timeout=30)
        spans = {span["name"]: span for span in walk(account.run(run_id)["spans"])}
        assert {"POST /chat", "chat"} <= set(spans), sorted(spans)
        return spans

    return eventually(arrived, timeout=60)


def test_a_request_is_a_run_with_the_customer_from_its_header(
    server: str, account: Account
) -> None:
    answer = httpx.post(f"{server}/chat", headers={"X-Customer-ID": "acme"}, timeout=30)
    assert answer.status_code == 200, answer.text
    inside = answer.json()
    assert inside["customer_id"] == "acme"
    spans = run_spans(account, inside["run_id"])
    assert spans["POST /chat"]["parent_span_id"] is None
    assert spans["chat"]["parent_span_id"] == spans["POST /chat"]["span_id"]
    rows = {row["key"]: row for row in account.costs("customer")["rows"]}
    assert rows["acme"]["events"] == 1


def test_a_request_carrying_the_callers_context_is_a_span_of_its_run(
    server: str, account: Account
) -> None:
    with llmobserve.run("caller") as caller:
        answer = httpx.post(f"{server}/chat", headers=llmobserve.inject_headers(), timeout=30)
    assert answer.json()["run_id"] == caller.run_id
    spans = run_spans(account, str(caller.run_id))
    assert spans["POST /chat"]["parent_span_id"] == caller.span_id
    assert spans["chat"]["parent_span_id"] == spans["POST /chat"]["span_id"]


def test_requests_do_not_leak_their_context_into_each_other(server: str) -> None:
    first = httpx.post(f"{server}/chat", headers={"X-Customer-ID": "a"}, timeout=30).json()
    second = httpx.post(f"{server}/chat", timeout=30).json()
    assert first["run_id"] != second["run_id"] and "customer_id" not in second


@pytest.mark.filterwarnings("ignore::llmobserve.LLMObserveDeprecationWarning")
def test_0_3s_django_middleware_setting_still_opens_a_run_per_request(
    start_sdk: Callable[..., None],
) -> None:
    start_sdk()
    app = django_app("llmobserve.middleware.django_middleware")
    for base_url in serve_wsgi(app):
        one = httpx.post(f"{base_url}/chat", headers={"X-Customer-ID": "c1"}, timeout=30).json()
        two = httpx.post(f"{base_url}/chat", timeout=30).json()
        assert one["customer_id"] == "c1" and "customer_id" not in two
        assert one["run_id"] != two["run_id"]


def test_a_failing_customer_function_leaves_the_request_without_a_customer(
    start_sdk: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    from flask import Flask, jsonify

    start_sdk()
    app = Flask("llmobserve_test_customer_from")

    @app.post("/chat")
    def chat() -> Any:
        return jsonify(record_call())

    def customer_from(environ: Any) -> str:
        raise KeyError("HTTP_X_TENANT")

    app.wsgi_app = WSGIMiddleware(app.wsgi_app, customer_from=customer_from)  # type: ignore[method-assign]
    for base_url in serve_wsgi(app):
        answer = httpx.post(f"{base_url}/chat", timeout=30)
        assert answer.status_code == 200 and "customer_id" not in answer.json()
    assert "customer_from raised KeyError" in caplog.text
