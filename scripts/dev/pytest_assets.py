"""pytest plugin for `make test` (-p pytest_assets): the web assets that the browser
tests load are built once, before the tests, as Odoo's own test runner does.

During a test the server answers the browser in the test's transaction: an asset
bundle that it builds (seconds for the web client's) is rolled back with the test, and
the next browser test builds it again. Odoo's runner builds the bundles, committed,
before post-install tests that hold an HttpCase (``_pregenerate_assets_bundles``, every
bundle of every view); pytest-odoo does not. This plugin builds, committed, the bundles
that the add-on's browser tests load, when a test module of the session opens a browser
(calls ``start_tour`` or ``browser_js``). A bundle whose files have not changed is found
and not built again; a bundle that the list misses, or a browser opened from elsewhere,
is built by the test that loads it, as before: slower, not different.
"""

import inspect

import pytest

from odoo import api
from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

# (bundle, style sheets, scripts): what the add-on's tours load, as the server's log
# shows them, in the web client (the first five) and in the portal
BUNDLES = (
    ("web.assets_web", True, True),
    ("web.assets_web_print", True, False),
    ("web.assets_tests", False, True),
    ("web.assets_emoji", False, True),
    ("bus.websocket_worker_assets", False, True),
    ("web.assets_frontend", True, False),
    ("web.assets_frontend_minimal", False, True),
    ("web.assets_frontend_lazy", False, True),
    ("portal.assets_chatter", True, True),
)
# what a test module calls to open a browser
BROWSER_CALLS = ("start_tour(", "browser_js(")


def _opens_a_browser(items):
    """Whether a test module among ``items`` opens a browser."""
    modules = {item.module for item in items if getattr(item, "module", None)}
    return any(call in inspect.getsource(module) for module in modules for call in BROWSER_CALLS)


@pytest.fixture(scope="session", autouse=True)
def prebuilt_web_assets(request, load_registry):
    """Build the bundles of BUNDLES in their own committed transaction, after
    pytest-odoo's registry (``load_registry``) and before the first test."""
    if _opens_a_browser(request.session.items):
        with Registry(get_db_name()).cursor() as cr:
            qweb = api.Environment(cr, api.SUPERUSER_ID, {})["ir.qweb"]
            for name, css, js in BUNDLES:
                bundle = qweb._get_asset_bundle(name, css=css, js=js)
                if css:
                    bundle.css()
                if js:
                    bundle.js()
    yield
