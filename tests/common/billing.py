from datetime import datetime

from odoo.fields import Command

from .intervention_stock import InterventionStockCase


class BillingCase(InterventionStockCase):
    """Billing fixtures: a call-out and a labour product (services, no taxes, so the
    amounts read as they are computed), the van's gasket sold at 15.00, and a helper
    that finishes an intervention and gives it its charge lines as the costing would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.callout_product = cls.env["product.product"].create(
            {
                "name": "Call-out fee",
                "type": "service",
                "list_price": 50.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        cls.labour_product = cls.env["product.product"].create(
            {
                "name": "Labour, normal hours",
                "type": "service",
                "list_price": 40.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        cls.travel_product = cls.env["product.product"].create(
            {
                "name": "Travel, flat",
                "type": "service",
                "list_price": 25.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        cls.gasket.write(
            {"list_price": 15.0, "invoice_policy": "delivery", "taxes_id": [Command.clear()]}
        )

    def _done(self, materials=(), date_end=None, **vals):
        """A finished intervention (its materials delivered by its own picking)."""
        intervention = self._intervention(
            material_move_ids=[self._used(product, qty) for product, qty in materials], **vals
        )
        intervention.action_done()
        if date_end:
            intervention.sudo().write({"date_start": date_end, "date_end": date_end})
        # the charges below are the whole bill: whatever the costing made is replaced
        intervention.sudo().charge_ids.unlink()
        return intervention

    def _charge(self, intervention, kind, product, qty, price, covered=0.0, payer=None, **vals):
        return (
            self.env["aftersales.intervention.charge"]
            .sudo()
            .create(
                {
                    "intervention_id": intervention.id,
                    "kind": kind,
                    "name": product.name,
                    "product_id": product.id,
                    "quantity": qty,
                    "price_unit": price,
                    "coverage_percent": covered,
                    "coverage_kind": payer or ("contract" if covered else "customer"),
                    **vals,
                }
            )
        )

    def _standard_charges(self, intervention, cost=True):
        """Call-out 50.00 paid by the customer; 2 h of labour at 40.00, 50% covered by
        the contract; travel 25.00 fully covered; the gaskets used at 15.00 each."""
        charges = self._charge(intervention, "callout", self.callout_product, 1.0, 50.0, cost=0.0)
        charges |= self._charge(
            intervention, "labour", self.labour_product, 2.0, 40.0, 50.0, cost=60.0
        )
        charges |= self._charge(
            intervention, "travel", self.travel_product, 1.0, 25.0, 100.0, cost=8.0
        )
        for move in intervention.sudo().material_move_ids:
            charges |= self._charge(
                intervention,
                "material",
                move.product_id,
                move.quantity,
                15.0,
                stock_move_id=move.id,
                cost=move.product_id.standard_price * move.quantity,
            )
        return charges

    @staticmethod
    def _day(day, month=6):
        return datetime(2026, month, day, 10, 0)
