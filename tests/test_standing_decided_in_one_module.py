"""A rater's standing is decided in one module, raters.standing: no other code reads or writes the fields that
make it (the local ban, the Horde's flag, Django's is_active), as attributes, keyword lookups or field names.

The exceptions, each for a reason: the model that declares the fields, the admin that shows them, the login's
sync that hands the Horde's answer to the standing module, the Horde's wire format (horde.client and the
stand-in speak the Horde's `flagged`), Django's own session rule (raters.backends), and migrations."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SITE = Path(__file__).resolve().parent.parent / "ratings_site"
STANDING_FIELD = re.compile(r"^(?:\w+__)?(flagged|is_active|banned_at|ban_reason)(?:__\w+)?$")
ALLOWED = {
    "raters/standing.py": "the one place",
    "raters/models.py": "declares the fields",
    "raters/admin.py": "shows them to moderators",
    "raters/backends.py": "Django's rule that an inactive user has no session",
    "horde/client.py": "the Horde's wire field `flagged`",
    "demo/standin.py": "the stand-in speaks the Horde's wire format",
}


def _uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and STANDING_FIELD.match(node.attr):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.keyword) and node.arg and STANDING_FIELD.match(node.arg):
            found.append((node.value.lineno, node.arg))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and STANDING_FIELD.match(node.value):
            found.append((node.lineno, node.value))
    return found


def test_no_module_but_raters_standing_decides_standing():
    offenders = []
    for path in sorted(SITE.rglob("*.py")):
        relative = path.relative_to(SITE).as_posix()
        if "/migrations/" in relative or relative in ALLOWED:
            continue
        for line, name in _uses(ast.parse(path.read_text(), filename=relative)):
            offenders.append(f"{relative}:{line} uses {name}")
    assert not offenders, "Ask raters.standing instead:\n" + "\n".join(offenders)


def test_the_scan_finds_a_use():
    """The scan itself works: it finds each kind of use."""
    assert len(_uses(ast.parse('r.flagged\nQ(rater__is_active=True)\nvalues("banned_at")'))) == 3
