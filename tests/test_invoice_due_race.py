import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import mute_logger

CUSTOMERS = 12
VISITS = 2


@tagged("post_install", "-at_install")
class TestInvoiceDueRace(BaseCase):
    """The *Invoice Due* cron, run by two workers at once or while a user bills by
    hand, each on its own cursor over committed data: every customer gets one invoice
    for the month, with all its visits, never one per run.

    The data is committed (concurrent transactions cannot see an uncommitted test
    transaction) and deleted again after each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.addCleanup(self._delete_data)
        with self._env() as env:
            company = env.company
            self.company_id = company.id
            self.post_setting = company.aftersales_invoice_post
            company.aftersales_invoice_post = False
            products = env["product.product"].create(
                [
                    {
                        "name": f"Race {name}",
                        "type": "service",
                        "invoice_policy": "delivery",
                        "taxes_id": [Command.clear()],
                    }
                    for name in ("call-out", "labour")
                ]
            )
            customers = env["res.partner"].create(
                [{"name": f"Race customer {i:02d}", "is_company": True} for i in range(CUSTOMERS)]
            )
            # two visits of each customer last month: due for the cron
            month_start = fields.Date.context_today(env["res.partner"]).replace(day=1)
            last_month = month_start - timedelta(days=25)
            interventions = env["aftersales.intervention"].create(
                [
                    {"summary": f"Race visit {visit}", "partner_id": customer.id}
                    for customer in customers
                    for visit in range(VISITS)
                ]
            )
            for index, intervention in enumerate(interventions):
                day = datetime.combine(last_month, datetime.min.time()) + timedelta(
                    days=index % VISITS, hours=9
                )
                intervention.write({"state": "done", "date_start": day, "date_end": day})
            env["aftersales.intervention.charge"].create(
                [
                    {
                        "intervention_id": intervention.id,
                        "kind": kind,
                        "name": product.name,
                        "product_id": product.id,
                        "quantity": 1.0,
                        "price_unit": price,
                    }
                    for intervention in interventions
                    for kind, product, price in zip(
                        ("callout", "labour"), products, (35.0, 48.0), strict=True
                    )
                ]
            )
            self.ids = {
                "products": products.ids,
                "templates": products.product_tmpl_id.ids,
                "customers": customers.ids,
                "interventions": interventions.ids,
            }

    def _delete_data(self):
        with self._env() as env:
            cr = env.cr
            ids = self.ids
            cr.execute(
                "SELECT DISTINCT l.order_id FROM sale_order_line l"
                " JOIN aftersales_intervention_charge c ON c.sale_line_id = l.id"
                " WHERE c.intervention_id IN %s",
                [tuple(ids["interventions"])],
            )
            order_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute(
                "DELETE FROM account_move WHERE partner_id IN %s OR commercial_partner_id IN %s",
                [tuple(ids["customers"]), tuple(ids["customers"])],
            )
            cr.execute("DELETE FROM sale_order WHERE id IN %s", [order_ids])
            cr.execute(
                "DELETE FROM aftersales_intervention WHERE id IN %s", [tuple(ids["interventions"])]
            )
            cr.execute("DELETE FROM product_product WHERE id IN %s", [tuple(ids["products"])])
            cr.execute("DELETE FROM product_template WHERE id IN %s", [tuple(ids["templates"])])
            cr.execute("DELETE FROM res_partner WHERE id IN %s", [tuple(ids["customers"])])
            env["res.company"].browse(self.company_id).aftersales_invoice_post = self.post_setting

    @contextmanager
    def _env(self):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _run_cron(self, batch_size=200):
        """One run of the cron on its own cursor, as a cron worker would; a run that
        meets a row committed a moment ago by the other one fails and is run again, as
        the scheduler would."""
        for _attempt in range(5):
            try:
                with mute_logger("odoo.sql_db"), self._env() as env:
                    env["aftersales.intervention"]._cron_invoice_due(batch_size=batch_size)
                return
            except psycopg2.errors.SerializationFailure:
                continue
        self.fail("the cron failed five times in a row")

    def _invoices_per_customer(self):
        """{customer id: [(invoice id, number of orders it bills, untaxed amount)]}, and
        the orders left to invoice."""
        with self._env() as env:
            interventions = env["aftersales.intervention"].browse(self.ids["interventions"])
            orders = interventions.charge_ids.sale_line_id.order_id
            result = {customer_id: [] for customer_id in self.ids["customers"]}
            moves = env["account.move"].search(
                [
                    ("partner_id", "in", self.ids["customers"]),
                    ("move_type", "=", "out_invoice"),
                    ("state", "!=", "cancel"),
                ]
            )
            for move in moves:
                result[move.partner_id.id].append(
                    (move.id, len(move.line_ids.sale_line_ids.order_id), move.amount_untaxed)
                )
            left = orders.filtered(lambda o: o.invoice_status == "to invoice").mapped("name")
            unbilled = interventions.filtered(lambda i: i.billing_status != "billed").mapped("name")
            return result, left, unbilled

    def _assert_one_invoice_each(self):
        invoices, left, unbilled = self._invoices_per_customer()
        self.assertFalse(unbilled, "every visit is billed")
        self.assertFalse(left, "every order is invoiced")
        for customer_id, moves in invoices.items():
            # one invoice: both visits' orders, 2 x (35.00 + 48.00) = 166.00
            self.assertEqual(
                [(orders, amount) for __, orders, amount in moves],
                [(VISITS, 166.0)],
                f"customer {customer_id}: one invoice with both visits",
            )

    def test_two_runs_at_once(self):
        """Two workers run the cron at the same moment, in batches of a few customers."""
        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                barrier.wait(timeout=60)
                self._run_cron(batch_size=4)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a run did not end")
        self.assertFalse(errors)
        # the next day's run: a customer skipped by both (busy) is invoiced now, whole
        self._run_cron()
        self._assert_one_invoice_each()

    def test_second_run_while_the_first_bills(self):
        """The first worker has billed the first visit of a customer and not committed
        yet when the second one runs: the second leaves that customer to the first,
        which invoices both visits at once."""
        Intervention = self.registry["aftersales.intervention"]
        create_sale_orders = Intervention._create_sale_orders
        billing, second_done = threading.Event(), threading.Event()

        def create_and_wait(records):
            orders = create_sale_orders(records)
            if threading.current_thread().name == "first" and not billing.is_set():
                records.env.flush_all()
                billing.set()
                second_done.wait(timeout=120)
            return orders

        errors = []

        def first():
            try:
                self._run_cron(batch_size=1)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                billing.set()

        with patch.object(Intervention, "_create_sale_orders", create_and_wait):
            thread = threading.Thread(target=first, name="first")
            thread.start()
            self.assertTrue(billing.wait(timeout=120))
            try:
                self._run_cron(batch_size=1)
            finally:
                second_done.set()
            thread.join(timeout=300)
        self.assertFalse(thread.is_alive(), "the first run did not end")
        self.assertFalse(errors)
        self._assert_one_invoice_each()

    def test_run_while_a_visit_is_being_billed(self):
        """A user bills one of a customer's visits (not committed yet) while the cron
        runs: the cron leaves that customer whole to the next run instead of invoicing
        the other visit alone."""
        first, second = self.ids["interventions"][:2]
        with self._env() as env:
            # the first visit was billed before: its order waits to be invoiced
            env["aftersales.intervention"].browse(first)._create_sale_orders()
        with self._env() as env_user:
            busy = env_user["aftersales.intervention"].browse(second)
            busy._create_sale_orders()
            env_user.flush_all()  # holds the visit's row until it commits
            self._run_cron()
            env_user.cr.commit()
        invoices, __, __ = self._invoices_per_customer()
        busy_customer = self.ids["customers"][0]
        self.assertEqual(invoices[busy_customer], [], "not invoiced in half")
        self.assertEqual(
            sum(len(moves) for moves in invoices.values()), CUSTOMERS - 1, "the others are"
        )
        self._run_cron()
        self._assert_one_invoice_each()
