"""Development-only code (the demo pictures of `manage.py seed_demo`): a plain package, not a Django app.

Production never imports it: not the web process, not a production command (see
tests/test_demo_painters_not_imported_by_web.py).
"""
