"""Running a function inside a scope, whatever its kind: plain, coroutine, generator or async
generator. A decorated coroutine function stays a coroutine function (and so on), and the
scope is opened per call, so one decorated function can run in many threads and tasks at once.

A generator runs in steps, and between steps its caller runs: the scope is entered around each
step only, so it never leaks into the caller's code.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llmobserve._context import Frame, _current

if TYPE_CHECKING:
    from llmobserve._scopes import Activation

F = TypeVar("F", bound=Callable[..., Any])


def decorate(fn: F, new_activation: Callable[[], Activation]) -> F:
    if inspect.isasyncgenfunction(fn):
        return cast(F, _async_generator(fn, new_activation))
    if inspect.iscoroutinefunction(fn):
        return cast(F, _coroutine(fn, new_activation))
    if inspect.isgeneratorfunction(fn):
        return cast(F, _generator(fn, new_activation))
    return cast(F, _plain(fn, new_activation))


def _plain(fn: Callable[..., Any], new_activation: Callable[[], Activation]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def in_scope(*args: Any, **kwargs: Any) -> Any:
        activation = new_activation()
        activation.enter()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            activation.exit(exc)
            raise
        activation.exit(None)
        return result

    return in_scope


def _coroutine(
    fn: Callable[..., Any], new_activation: Callable[[], Activation]
) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def in_scope(*args: Any, **kwargs: Any) -> Any:
        activation = new_activation()
        activation.enter()
        try:
            result = await fn(*args, **kwargs)
        except BaseException as exc:
            activation.exit(exc)
            raise
        activation.exit(None)
        return result

    return in_scope


class _Steps:
    """Switches between the generator's own frame and its caller's around each step."""

    def __init__(self, activation: Activation) -> None:
        self.activation = activation
        self.inner: Frame | None = activation.open()
        self._caller: Frame | None = None

    def __enter__(self) -> None:
        self._caller = _current.get()
        _current.set(self.inner)

    def __exit__(self, *exc_info: object) -> None:
        self.inner = _current.get()  # keeps scopes the body opened across a yield
        _current.set(self._caller)


def _generator(
    fn: Callable[..., Generator[Any, Any, Any]], new_activation: Callable[[], Activation]
) -> Callable[..., Generator[Any, Any, Any]]:
    @functools.wraps(fn)
    def in_scope(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        steps = _Steps(new_activation())
        with steps:
            generator = fn(*args, **kwargs)
        to_send: Any = None
        to_throw: BaseException | None = None
        try:
            while True:
                with steps:
                    if to_throw is not None:
                        item = generator.throw(to_throw)
                    else:
                        item = generator.send(to_send)
                try:
                    to_send, to_throw = (yield item), None
                except GeneratorExit:
                    with steps:
                        generator.close()
                    steps.activation.finish(None)
                    raise
                except BaseException as exc:
                    to_send, to_throw = None, exc
        except StopIteration as stop:
            steps.activation.finish(None)
            return stop.value
        except BaseException as exc:
            steps.activation.finish(exc)
            raise

    return in_scope


def _async_generator(
    fn: Callable[..., AsyncGenerator[Any, Any]], new_activation: Callable[[], Activation]
) -> Callable[..., AsyncGenerator[Any, Any]]:
    @functools.wraps(fn)
    async def in_scope(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        steps = _Steps(new_activation())
        with steps:
            generator = fn(*args, **kwargs)
        to_send: Any = None
        to_throw: BaseException | None = None
        try:
            while True:
                with steps:
                    if to_throw is not None:
                        item = await generator.athrow(to_throw)
                    else:
                        item = await generator.asend(to_send)
                try:
                    to_send, to_throw = (yield item), None
                except GeneratorExit:
                    with steps:
                        await generator.aclose()
                    steps.activation.finish(None)
                    raise
                except BaseException as exc:
                    to_send, to_throw = None, exc
        except StopAsyncIteration:
            steps.activation.finish(None)
        except BaseException as exc:
            steps.activation.finish(exc)
            raise

    return in_scope
