from contextlib import contextmanager
from datetime import date

from odoo.fields import Command
from odoo.tests import new_test_user

from .base import AftersalesCase


class InterventionStockCase(AftersalesCase):
    """A technician with a van (an internal location of the warehouse) holding spare
    parts: an untracked gasket valued at average cost, serial-tracked heating elements at
    standard cost; a customer's serial under contract; a ticket in progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.van = cls.env["stock.location"].create(
            {
                "name": "Van FB123XY",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.repair_location = cls.env["stock.location"].create(
            {
                "name": "Repair Lab",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Tina Technician",
                "user_id": cls.user_technician.id,
                "aftersales_location_id": cls.van.id,
            }
        )
        cls.team = cls.env["aftersales.team"].create(
            {
                "name": "Espresso North",
                "member_ids": [Command.set(cls.user_technician.ids)],
                "return_location_id": cls.repair_location.id,
                "notify_receipt": False,
            }
        )
        cls.categ_avco = cls.env["product.category"].create(
            {"name": "Spare parts (AVCO)", "property_cost_method": "average"}
        )
        cls.gasket = cls.env["product.product"].create(
            {
                "name": "Group gasket 8.5 mm",
                "type": "consu",
                "is_storable": True,
                "categ_id": cls.categ_avco.id,
                "standard_price": 4.0,
            }
        )
        cls.element = cls.env["product.product"].create(
            {
                "name": "Heating element 3 kW",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "standard_price": 120.0,
            }
        )
        cls.element_lots = cls.env["stock.lot"].create(
            [{"name": f"HE-{n:03d}", "product_id": cls.element.id} for n in range(1, 4)]
        )
        cls._stock_van(cls.gasket, 10.0)
        for lot in cls.element_lots:
            cls._stock_van(cls.element, 1.0, lot)
        cls.lot = cls._create_lot(
            "AUR-0001",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=date(2025, 6, 1),
        )
        cls.lot_new = cls._create_lot("AUR-0002")
        cls._stock_van(cls.machine, 1.0, cls.lot_new)
        cls.lot_other = cls._create_lot(
            "AUR-0999",
            aftersales_customer_id=cls.customer_other.id,
            aftersales_delivery_date=date(2025, 6, 1),
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {
                "subject": "Machine does not heat",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "lot_id": cls.lot.id,
                "user_id": cls.user_technician.id,
            }
        )
        cls.user_tech_bare = new_test_user(
            cls.env,
            login="as_technician_bare",
            name="Bea Bare",
            groups="aftersales.group_aftersales_user",
        )

    @classmethod
    def _stock_van(cls, product, qty, lot=None):
        cls.env["stock.quant"].create(
            {
                "product_id": product.id,
                "location_id": cls.van.id,
                "inventory_quantity": qty,
                "lot_id": lot.id if lot else False,
            }
        ).action_apply_inventory()

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back what the failing call wrote) and its message."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertIn(text, str(cm.exception))

    def _van_qty(self, product, lot=None):
        quants = self.env["stock.quant"].search(
            [("product_id", "=", product.id), ("location_id", "=", self.van.id)]
        )
        if lot:
            quants = quants.filtered(lambda q: q.lot_id == lot)
        return sum(quants.mapped("quantity"))

    def _intervention(self, **vals):
        intervention = self.env["aftersales.intervention"].create(
            {
                "summary": "Heating element replacement",
                "partner_id": self.customer.id,
                "ticket_id": self.ticket.id,
                "lot_id": self.lot.id,
                "employee_ids": [Command.set(self.employee.ids)],
                **vals,
            }
        )
        intervention.action_start()
        return intervention

    def _used(self, product, qty=1.0, lot=None, **vals):
        return Command.create(
            {
                "aftersales_line_type": "used",
                "product_id": product.id,
                "product_uom_qty": qty,
                "aftersales_lot_id": lot.id if lot else False,
                **vals,
            }
        )

    def _picked(self, lot, line_type="pickup", **vals):
        return Command.create(
            {
                "aftersales_line_type": line_type,
                "product_id": lot.product_id.id,
                "product_uom_qty": 1.0,
                "aftersales_lot_id": lot.id,
                **vals,
            }
        )
