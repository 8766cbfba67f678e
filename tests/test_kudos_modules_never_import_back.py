"""No module of the kudos ledger, nor the rating rules, imports a module that imports it back: the payment task
imports the payments, the ledger services import the task, and nothing runs the other way (imports inside
functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ratings_site"
WATCHED = ("ratings_site.kudos", "ratings_site.ratings.limits", "ratings_site.ratings.services")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    return modules


def _import_graph() -> dict[str, set[str]]:
    """Each of our modules, and the modules of ours it imports anywhere in its code."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from pkg import module`
        graph[name] = {other for other in imported if other in modules and other != name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A chain of imports from start to goal, or None."""
    seen, stack = {start}, [[start]]
    while stack:
        chain = stack.pop()
        for nxt in graph[chain[-1]]:
            if nxt == goal:
                return [*chain, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append([*chain, nxt])
    return None


def test_no_kudos_or_rating_rule_module_is_imported_back():
    graph = _import_graph()
    watched = [name for name in graph if name.startswith(WATCHED)]
    assert "ratings_site.kudos.tasks" in watched and "ratings_site.kudos.payments" in watched

    cycles = [chain for name in watched if (chain := _reaches(graph, name, name))]

    assert cycles == []


def test_the_payments_import_neither_the_task_nor_the_ledger_services():
    graph = _import_graph()

    assert _reaches(graph, "ratings_site.kudos.payments", "ratings_site.kudos.tasks") is None
    assert _reaches(graph, "ratings_site.kudos.payments", "ratings_site.kudos.services") is None
    assert "ratings_site.kudos.payments" in graph["ratings_site.kudos.tasks"]
    assert "ratings_site.kudos.tasks" in graph["ratings_site.kudos.services"]
