from collections import defaultdict

from odoo.fields import Command
from odoo.tests import tagged

from .common.billing import BillingCase

# Queries billing and invoicing may spend per run beyond the orders and invoices
# themselves, whatever its size: finding the charges, grouping, the stored statuses.
BATCH_OVERHEAD = 25
# ... and per intervention, on top of creating its order and its share of the invoice
# (the goal of issue 9: at most 5).
PER_INTERVENTION = 5


@tagged("post_install", "-at_install")
class TestInterventionBillingQueries(BillingCase):
    """Billing and invoicing N interventions costs what creating, confirming and
    invoicing their N orders costs, plus a little, flat in N."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the baseline's orders invoice what they order: nothing delivers them
        (cls.callout_product | cls.travel_product | cls.labour_product).invoice_policy = "order"

    def _interventions(self, n):
        interventions = self.env["aftersales.intervention"].create(
            [
                {
                    "summary": f"Visit {i}",
                    "partner_id": (self.customer, self.customer_other)[i % 2].id,
                }
                for i in range(n)
            ]
        )
        interventions.write({"state": "done", "date_end": self._day(3)})
        products = (self.callout_product, self.travel_product, self.labour_product)
        self.env["aftersales.intervention.charge"].create(
            [
                {
                    "intervention_id": intervention.id,
                    "kind": kind,
                    "name": product.name,
                    "product_id": product.id,
                    "quantity": qty,
                    "price_unit": product.list_price,
                    "coverage_percent": covered,
                    "coverage_kind": "contract" if covered else "customer",
                }
                for intervention in interventions
                for kind, product, qty, covered in (
                    ("callout", products[0], 1.0, 0.0),
                    ("travel", products[1], 1.0, 0.0),
                    ("labour", products[2], 2.0, 50.0),
                    ("labour", products[2], 1.0, 0.0),
                    ("per_diem", products[1], 1.0, 100.0),
                )
            ]
        )
        self.env.flush_all()
        return interventions

    def _baseline_queries(self, interventions):
        """Queries of making the same orders and invoices directly, rolled back."""
        vals_list = []
        for intervention in interventions:
            vals = intervention._prepare_sale_order_vals()
            vals.pop("aftersales_intervention_id")
            vals["order_line"] = [
                Command.create(intervention._prepare_sale_line_vals(charge))
                for charge in intervention._billable_charges()
            ]
            vals_list.append(vals)
        self.env.invalidate_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            count0 = self.cr.sql_log_count
            orders = self.env["sale.order"].create(vals_list)
            orders.action_confirm()
            by_partner = defaultdict(lambda: self.env["sale.order"])
            for order in orders:
                by_partner[order.partner_id] |= order
            self.env["sale.order"].union(*by_partner.values())._create_invoices()
            self.env.flush_all()
            count = self.cr.sql_log_count - count0
            savepoint.rollback()
        self.env.invalidate_all()
        return count

    def test_query_count_flat_in_batch_size(self):
        extra = {}
        for n in (4, 12):
            interventions = self._interventions(n)
            self._baseline_queries(interventions)  # warm-up: first loads of metadata
            baseline = self._baseline_queries(interventions)
            count0 = self.cr.sql_log_count
            with self.assertQueryCount(baseline + BATCH_OVERHEAD + PER_INTERVENTION * n):
                moves = interventions._invoice_due(by_month=True)
                self.env.flush_all()
            extra[n] = self.cr.sql_log_count - count0 - baseline
            self.assertEqual(len(moves), 2, "one invoice per customer and month")
            self.assertEqual(set(interventions.mapped("billing_status")), {"billed"})
        # what billing adds to the orders and invoices does not grow with their number
        self.assertLessEqual(extra[12], extra[4] + 2, extra)
