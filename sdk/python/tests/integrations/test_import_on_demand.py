"""`init()` imports no library the application has not imported: each is instrumented when the
application imports it (a fresh interpreter per test, where nothing is imported yet)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

START = """
import sys
import llmobserve
llmobserve.init(api_key="llmo_sk_" + "a" * 40, collector_url="http://127.0.0.1:9")
assert llmobserve.is_enabled()
"""
LIBRARIES = ("openai", "anthropic", "pinecone", "celery", "rq")


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", START + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_init_imports_none_of_the_libraries_it_instruments() -> None:
    imported = run(f"print(sorted(set({LIBRARIES!r}) & set(sys.modules)))")
    assert imported == "[]"


def test_a_library_imported_after_init_is_instrumented_on_its_import() -> None:
    out = run(
        """
        from llmobserve.integrations._patching import is_wrapped
        import openai
        from anthropic.resources.messages import Messages
        print(is_wrapped(openai.resources.chat.completions.Completions.create),
              is_wrapped(Messages.create), "celery" in sys.modules)
        """
    )
    assert out == "True True False"


def test_a_library_imported_before_init_is_instrumented_at_init() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import openai\n"
            + START
            + "from llmobserve.integrations._patching import is_wrapped\n"
            + "print(is_wrapped(openai.resources.chat.completions.Completions.create))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "True", done.stderr


def test_an_import_after_shutdown_and_unpatch_is_left_alone() -> None:
    out = run(
        """
        from llmobserve.integrations import unpatch_all
        from llmobserve.integrations._patching import is_wrapped
        unpatch_all()
        import openai
        print(is_wrapped(openai.resources.chat.completions.Completions.create))
        """
    )
    assert out == "False"
