"""The package's surface: what it exports, the Python versions it parses on, its dependencies."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import re
import sys
from pathlib import Path

import tomllib

import llmobserve

PACKAGE = Path(llmobserve.__file__).parent
SDK = PACKAGE.parent
README = SDK / "README.md"

DOCUMENTED_API = {
    # entry points
    "init",
    "shutdown",
    "flush",
    "ping",
    "stats",
    "is_enabled",
    # attribution
    "run",
    "section",
    "customer",
    "agent",
    "tool",
    "context_propagating",
    # across processes and services
    "export_context",
    "import_context",
    "inject_headers",
    "extract_headers",
    "track",
    # for integrations
    "record_call",
    "Usage",
    # types
    "Frame",
    "Scope",
    # exceptions (only ping raises)
    "LLMObserveError",
    "NotConfiguredError",
    "CollectorUnreachableError",
    "CollectorError",
    "AuthenticationError",
    "BudgetExceededError",
    "LLMObserveDeprecationWarning",
    "__version__",
}


def core_modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "integrations" not in path.parts]


def test_all_lists_exactly_the_documented_api() -> None:
    assert set(llmobserve.__all__) == DOCUMENTED_API
    assert len(llmobserve.__all__) == len(set(llmobserve.__all__))
    for name in llmobserve.__all__:
        assert hasattr(llmobserve, name), name


def test_every_public_name_is_in_all() -> None:
    modules = {"integrations", "annotations"}
    public = {
        name
        for name, value in vars(llmobserve).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in modules
    }
    assert public <= set(llmobserve.__all__)


def test_the_readme_documents_every_exported_name() -> None:
    text = README.read_text()
    missing = [name for name in llmobserve.__all__ if f"`{name}" not in text]
    missing = [n for n in missing if f"llmobserve.{n}" not in text]
    assert not missing, f"README.md does not mention {missing}"


def test_every_public_function_has_a_docstring_with_an_example() -> None:
    for name in llmobserve.__all__:
        value = getattr(llmobserve, name)
        if inspect.isfunction(value):
            doc = inspect.getdoc(value) or ""
            assert doc, f"{name} has no docstring"
            if name not in ("is_enabled", "shutdown"):
                assert "Example:" in doc and "```python" in doc, (
                    f"{name}'s docstring has no example"
                )


def test_the_package_parses_as_python_3_9() -> None:
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        ast.parse(source, filename=str(path), feature_version=(3, 9))
        assert (
            "from __future__ import annotations" in source
            or not source.strip()
            or ("def " not in source)
        ), f"{path.name} lacks `from __future__ import annotations`"


def test_no_python_3_10_only_calls_in_the_core() -> None:
    for path in core_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                keywords = {k.arg for k in node.keywords}
                assert "strict" not in keywords or not _named(node, "zip"), path
                assert "kw_only" not in keywords, f"{path.name}: dataclass(kw_only=) is 3.10+"
                assert "slots" not in keywords, f"{path.name}: dataclass(slots=) is 3.10+"
                if _named(node, "isinstance") and len(node.args) == 2:
                    assert not isinstance(node.args[1], ast.BinOp), f"{path.name}: X | Y"
            if isinstance(node, ast.Match):  # pragma: no cover - parse would fail first
                raise AssertionError(path)


def _named(call: ast.Call, name: str) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == name


def test_the_core_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"llmobserve", "__future__"}
    for path in core_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"


def test_the_package_declares_no_dependencies_and_ships_py_typed() -> None:
    project = tomllib.loads((SDK / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == []
    assert project["requires-python"] == ">=3.9"
    assert (PACKAGE / "py.typed").exists()


def test_the_version_is_written_in_one_place() -> None:
    pyproject = tomllib.loads((SDK / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "../../VERSION"
    assert (
        pyproject["tool"]["hatch"]["build"]["hooks"]["version"]["path"] == "llmobserve/_version.py"
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+([a-z]+\d+)?", llmobserve.__version__)
    assert importlib.metadata.version("llmobserve") == llmobserve.__version__


def test_the_sdk_has_no_tenant_field() -> None:
    word = "tenant" + "_id"  # spelled apart so that this file does not match itself
    for path in SDK.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".md", ".toml", ".txt"}:
            assert word not in path.read_text(errors="replace"), path
