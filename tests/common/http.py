import unittest

from odoo.tests import HttpCase


class AftersalesHttpCase(HttpCase):
    """HttpCase whose browser tests survive a slow Chromium start.

    Odoo gives a new headless Chromium 10 seconds to open its DevTools port, then skips
    the test; on a loaded 2-core machine the start sometimes takes longer. The tour had
    not begun (nothing was loaded), so it is started once more with a new browser; a
    second failure skips as before, and `make test` fails on any skip."""

    def browser_js(self, *args, **kwargs):
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as skip:
            if "devtools port" not in str(skip):
                raise
            return super().browser_js(*args, **kwargs)
