"""The API is thin and calls the apps' services: it never imports another app's views (an architecture rule)."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "ratings_site" / "api"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_of_the_api_imports_views_of_other_apps():
    offenders = {
        f"{path.name}: {name}"
        for path in API.glob("*.py")
        for name in imported_modules(path)
        if name.startswith("ratings_site.") and ".views" in name and not name.startswith("ratings_site.api.")
    }
    assert offenders == set()
