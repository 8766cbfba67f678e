"""Development-only code: the demo pictures of `manage.py seed_demo` (`painters.py`) and the stand-in AI Horde
(`standin.py`, served by `manage.py standin_horde`).

Installed as an app only where the stand-in may run (`STANDIN_HORDE_ALLOWED`, on by default with DEBUG), so that
its command exists there and nowhere else. Production never imports it: not the web process, not a production
command (tests/test_demo_code_never_imported_by_production.py).
"""
