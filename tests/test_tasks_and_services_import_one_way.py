"""Task modules and the services they run import one way: no module that a task module imports, directly or
through others, imports that task module back (imports inside functions count too). A service that schedules a
task names it by its path through the task layer (ratings_site.background), e.g. generations.services.SEND_TASK,
and every such path names a task."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django_tasks.base import Task

from ratings_site.background import task_named

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ratings_site"
TASK_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in [*PACKAGE.glob("*/tasks.py"), PACKAGE / "generations" / "copies.py"]
)


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {other for other in imported if other in modules and other != name}
    return graph


def _chain_back(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A chain of imports from `start` that comes back to it, or None."""
    seen, stack = set(), [[start]]
    while stack:
        chain = stack.pop()
        for nxt in graph[chain[-1]]:
            if nxt == start:
                return [*chain, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append([*chain, nxt])
    return None


@pytest.mark.parametrize("module", TASK_MODULES)
def test_nothing_a_task_module_imports_imports_it_back(module):
    assert _chain_back(_import_graph(), module) is None, " -> ".join(_chain_back(_import_graph(), module))


def test_every_task_named_by_its_path_is_a_task():
    named = set()
    for path in PACKAGE.rglob("*.py"):
        named.update(re.findall(r"\"(ratings_site\.[\w.]+\.tasks\.\w+)\"", path.read_text()))
    assert named  # the services name theirs so
    for dotted in sorted(named):
        assert isinstance(task_named(dotted), Task), dotted
