from odoo.tests import tagged

from .common.base import AftersalesCase
from .common.http import AftersalesHttpCase


@tagged("post_install", "-at_install")
class TestTours(AftersalesCase, AftersalesHttpCase):
    def test_contract_tour(self):
        self.env["res.partner"].create({"name": "Tour Bar Sport", "is_company": True})
        self.env["product.product"].create(
            {"name": "Tour maintenance fee", "type": "service", "list_price": 150.0}
        )
        self.env["product.product"].create({"name": "Tour espresso machine", "type": "consu"})
        self.start_tour(
            "/odoo/action-aftersales.aftersales_contract_action",
            "aftersales_contract_tour",
            login="as_manager",
        )
        contract = self.env["aftersales.contract"].search(
            [("partner_id.name", "=", "Tour Bar Sport")]
        )
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.line_ids.price_unit, 150.0)
        self.assertEqual(contract.line_ids.equipment_product_id.name, "Tour espresso machine")
