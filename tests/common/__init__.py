"""The fixtures of the add-on's tests: one module per topic, named after what it builds
(tests/README.md lists them).

Import a fixture from its topic's module, ``from .common.base import AftersalesCase``:
this package re-exports nothing. It holds no test either: pytest collects only
``tests/test_*.py``, and Odoo's test loader only the ``test_*`` modules that
tests/__init__.py imports.
"""
