"""Imports run downward between the site's apps: no app imports, directly or around a cycle, one that imports it.

The file-level architecture tests (the predictor, the demo package, the API and views) miss cycles between apps;
this one reads every module under `ratings_site/` (ast, nothing imported) into an app → app graph:

- an app is the first package under `ratings_site` (`ratings_site.kudos.services` is `kudos`);
- every import counts: at module level, inside a function (a lazy import still makes the app know the other),
  under `if TYPE_CHECKING:`, relative or absolute, and `apps.get_model("app", "Model")` / `get_model("app.Model")`
  (an import in all but name);
- a ForeignKey's "app.Model" string does not: the schema may point at a row of any app (a ledger line at the
  rating it pays for); it is what code imports that makes one app know another.

Project-level modules: `settings`, `urls`, `views` and `wsgi` assemble the site and are the top; they may import
anything, and only a root URLconf of an app's own (`embed/urlconf.py`, which extends the site's URLs) may import
them. The other project-level modules (`refusals`, `env`, `error_reports`, ...) are shared helpers, nodes of the
graph like apps. The development-only package `demo` stands apart: it may import anything, and production never
imports it (tests/test_demo_code_never_imported_by_production.py).

The order, lowest first (`LAYERS`; an app imports only apps before it):

    horde < raters < datasets < kudos < ratings < generations < bestof < reliability < predictor < exports < moderation
    < embed < api

When an upper app must react to a lower one, the lower offers a hook and the upper registers in its
`AppConfig.ready`: the flood limit counts generation sets and best-of picks through
`ratings.limits.count_in_the_flood_limit`; the rating pages tell embedded frames what was saved through the
`ratings.signals.rated` signal.

`OPEN` lists the upward imports not yet removed, each with its reason; the test fails on any other, and on an
entry that no longer exists (take it out).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ratings_site"

LAYERS = [
    "horde",
    "raters",
    "datasets",
    "kudos",
    "ratings",
    "generations",
    "bestof",
    "reliability",
    "predictor",
    "exports",
    "moderation",
    "figures",
    "embed",
    "api",
]
TOP = {"settings", "urls", "views", "wsgi"}
APART = {"demo"}

# Upward imports still to remove (issue 22): (importer, imported) → why it is there.
OPEN = {
}


def _modules() -> dict[str, Path]:
    """Every module under ratings_site but migrations, by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """The dotted names this module imports, anywhere in it, with their lines."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join([*base, *([node.module] if node.module else [])])
            # `from ratings_site import views` imports the module ratings_site.views
            names += [(f"{source}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call) and _called_name(node) == "get_model" and node.args:
            label = node.args[0]
            if isinstance(label, ast.Constant) and isinstance(label.value, str):
                names.append((f"ratings_site.{label.value.split('.')[0]}", node.lineno))
    return names


def _called_name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _node(dotted: str) -> str | None:
    """The app (or project-level module) a dotted name belongs to; None outside the site."""
    parts = dotted.split(".")
    return parts[1] if parts[0] == "ratings_site" and len(parts) > 1 else None


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importer, imported) → where, for every import between two different apps or project modules."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, path in _modules().items():
        source = _node(module)
        if source is None or source in APART:
            continue
        for name, line in _imported_names(module, path):
            target = _node(name)
            if target is not None and target != source:
                where = edges.setdefault((source, target), [])
                if f"{module}:{line}" not in where:  # `from x import a, b` is one import
                    where.append(f"{module}:{line}")
    return edges


def _first_cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    """A cycle of the graph as [a, b, ..., a], or None."""
    graph: dict[str, list[str]] = {}
    for source, target in sorted(edges):
        graph.setdefault(source, []).append(target)
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in graph.get(node, []):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _describe(cycle: list[str], edges: dict[tuple[str, str], list[str]]) -> str:
    steps = [f"  {a} -> {b}: {', '.join(edges[a, b][:3])}" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def test_no_app_imports_around_a_cycle() -> None:
    edges = _edges()
    graph = {edge for edge in edges if edge[0] not in TOP and edge[1] not in TOP and edge not in OPEN}
    cycle = _first_cycle(graph)
    assert cycle is None, "apps import each other around a cycle:\n" + _describe(cycle, edges)


def test_apps_import_only_the_layers_below_them() -> None:
    rank = {app: n for n, app in enumerate(LAYERS)}
    upward = {
        edge: where
        for edge, where in _edges().items()
        if edge[0] in rank and edge[1] in rank and rank[edge[0]] < rank[edge[1]] and edge not in OPEN
    }
    assert not upward, "imports up the layers:\n" + "\n".join(f"  {a} -> {b}: {w[:3]}" for (a, b), w in upward.items())


def test_every_app_has_its_layer() -> None:
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")} - APART
    assert apps == set(LAYERS)


def test_only_a_root_urlconf_imports_the_project_level_modules() -> None:
    importers = {
        site
        for (source, target), where in _edges().items()
        if target in TOP and source not in TOP
        for site in where
        if not site.split(":")[0].endswith(".urlconf")
    }
    assert not importers


def test_each_open_upward_import_still_exists() -> None:
    """When one is removed, take it out of OPEN, so that it cannot come back unseen."""
    edges = _edges()
    assert [edge for edge in OPEN if edge not in edges] == []
