"""Delivery notes with Odoo's Italian localisation (``l10n_it_stock_ddt``) installed.

Not imported by ``tests/__init__.py``: it needs a database with that module, which the
add-on does not depend on. ``make test`` runs it in one (``scripts/dev/dev.sh test-l10n-it``)."""

from odoo.tests import tagged

from .test_ddt import DdtCase


@tagged("post_install", "-at_install", "aftersales_l10n_it")
class TestDdtL10nIt(DdtCase):
    def test_italian_number_is_the_ddt_number(self):
        self.assertIn("l10n_it_ddt_number", self.env["stock.picking"]._fields)
        company_it = self.env["res.company"].create(
            {"name": "Caffè Tecnica Italia", "country_id": self.env.ref("base.it").id}
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company_it.id)])
        self.assertTrue(warehouse.out_type_id.l10n_it_ddt_sequence_id)
        picking = self._deliver(["AUR-IT01"], company=company_it)
        self.assertTrue(picking.l10n_it_ddt_number)
        self.assertEqual(picking.aftersales_ddt_number, picking.l10n_it_ddt_number)
        # no second number: our sequence was never made, let alone drawn from
        self.assertFalse(
            self.env["ir.sequence"].search(
                [("code", "=", "aftersales.ddt"), ("company_id", "=", company_it.id)]
            )
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales.action_report_aftersales_ddt", picking.ids)[0]
            .decode()
        )
        self.assertIn(picking.l10n_it_ddt_number, html)

    def test_other_company_keeps_its_own_numbers(self):
        # a company made after the install, outside Italy: no Italian DDT sequence
        picking = self._deliver(["AUR-IT02"], company=self.company_b, partner=self.customer_b)
        self.assertFalse(picking.l10n_it_ddt_number)
        self.assertTrue(picking.aftersales_ddt_number.startswith("DDT/"))
