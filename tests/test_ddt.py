import psycopg2

from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesCase


class DdtCase(AftersalesCase):
    """Deliveries of serial-tracked machines to a customer, validated in one step."""

    @classmethod
    def _deliver(cls, lot_names, company=None, partner=None, **vals):
        company = company or cls.company
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        machine = cls.machine.with_env(env)
        lots = env["stock.lot"].create(
            [
                {"name": name, "product_id": machine.id, "company_id": company.id}
                for name in lot_names
            ]
        )
        for lot in lots:
            env["stock.quant"]._update_available_quantity(
                machine, warehouse.lot_stock_id, 1.0, lot_id=lot
            )
        picking = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": (partner or cls.customer_contact).id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": machine.id,
                            "product_uom_qty": len(lots),
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
                **vals,
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.button_validate()
        return picking


@tagged("post_install", "-at_install")
class TestDdt(DdtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.machine.weight = 32.5

    @freeze_time("2026-11-30 10:00:00")
    def test_number_per_company_and_year(self):
        first = self._deliver(["AUR-D01"])
        second = self._deliver(["AUR-D02"])
        self.assertEqual(first.state, "done")
        self.assertEqual(first.aftersales_ddt_number, "DDT/2026/00001")
        self.assertEqual(second.aftersales_ddt_number, "DDT/2026/00002")
        self.assertEqual(str(first.aftersales_ddt_date), "2026-11-30")
        other = self._deliver(["AUR-B01"], company=self.company_b, partner=self.customer_b)
        self.assertEqual(other.aftersales_ddt_number, "DDT/2026/00001")
        with freeze_time("2027-01-04 09:00:00"):
            next_year = self._deliver(["AUR-D03"])
        self.assertEqual(next_year.aftersales_ddt_number, "DDT/2027/00001")

    def test_no_number_for_internal_or_incoming(self):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)])
        stock = warehouse.lot_stock_id
        shelf = self.env["stock.location"].create({"name": "Van 1", "location_id": stock.id})
        self.grinder.is_storable = True
        self.env["stock.quant"]._update_available_quantity(self.grinder, stock, 2.0)
        internal = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.int_type_id.id,
                "location_id": stock.id,
                "location_dest_id": shelf.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.grinder.id,
                            "product_uom_qty": 1,
                            "location_id": stock.id,
                            "location_dest_id": shelf.id,
                        }
                    )
                ],
            }
        )
        internal.action_confirm()
        internal.action_assign()
        internal.button_validate()
        self.assertEqual(internal.state, "done")
        self.assertFalse(internal.aftersales_ddt_needed)
        self.assertFalse(internal.aftersales_ddt_number)

    def test_number_given_once(self):
        picking = self._deliver(["AUR-D10"])
        number = picking.aftersales_ddt_number
        picking._action_done()
        self.assertEqual(picking.aftersales_ddt_number, number)
        self.assertFalse(picking.copy().aftersales_ddt_number)

    def test_report_content(self):
        carrier = self.env["res.partner"].create({"name": "Trasporti Orobici"})
        picking = self._deliver(
            ["AUR-D20", "AUR-D21"],
            aftersales_transport_reason="warranty",
            aftersales_goods_appearance="Cardboard boxes",
            aftersales_packages=2,
        )
        self.company.vat = "IT01234567890"
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales.action_report_aftersales_ddt", picking.ids)[0]
            .decode()
        )
        for text in (
            picking.aftersales_ddt_number,
            self.company.name,
            "IT01234567890",
            self.customer.name,
            "Warranty replacement",
            "Sender",
            "Cardboard boxes",
            "65.00",  # 2 x 32.5 kg
            "AUR-D20, AUR-D21",
        ):
            self.assertIn(text, html)
        picking.write({"aftersales_carrier_id": carrier.id, "aftersales_gross_weight": 70.0})
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales.action_report_aftersales_ddt", picking.ids)[0]
            .decode()
        )
        self.assertIn("Trasporti Orobici", html)
        self.assertIn("70.00", html)
        action = picking.action_print_aftersales_ddt()
        self.assertEqual(action["type"], "ir.actions.report")

    def test_report_logo_only_when_the_company_has_one(self):
        """A company without a logo of its own prints none, not Odoo's "Your logo"
        placeholder; its own logo prints."""
        picking = self._deliver(["AUR-D40"])
        report = self.env["ir.actions.report"]
        self.company.logo = self.company._get_logo()  # Odoo's "Your logo" placeholder
        self.assertTrue(self.company.uses_default_logo)
        html = report._render_qweb_html("aftersales.action_report_aftersales_ddt", picking.ids)
        self.assertNotIn('alt="Logo"', html[0].decode())
        # a 1x1 PNG of the company's own
        self.company.logo = (
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
            "WjR9awAAAABJRU5ErkJggg=="
        )
        self.assertFalse(self.company.uses_default_logo)
        html = report._render_qweb_html("aftersales.action_report_aftersales_ddt", picking.ids)
        self.assertIn('alt="Logo"', html[0].decode())

    def test_bad_packages_or_weight(self):
        picking = self._deliver(["AUR-D30"])
        for vals in ({"aftersales_packages": -1}, {"aftersales_gross_weight": -2.0}):
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.CheckViolation),
                self.env.cr.savepoint(),
            ):
                picking.write(vals)
                picking.flush_recordset()
