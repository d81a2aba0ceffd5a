from datetime import date
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractInvoicing(AftersalesCase):
    def _invoice_lines(self, contract):
        return contract.invoice_ids.invoice_line_ids.sorted(lambda line: (line.move_id.id, line.id))

    @freeze_time("2026-05-10")
    def test_advance_invoices_backlog_up_to_today(self):
        contract = self._create_contract()
        contract.action_create_invoices()
        invoices = contract.invoice_ids.sorted("aftersales_period_start")
        self.assertEqual(
            invoices.mapped("aftersales_period_start"), [date(2026, 1, 1), date(2026, 4, 1)]
        )
        self.assertEqual(
            invoices.mapped("aftersales_period_end"), [date(2026, 3, 31), date(2026, 6, 30)]
        )
        self.assertEqual(invoices.mapped("amount_untaxed"), [300.0, 300.0])
        self.assertEqual(invoices.mapped("amount_tax"), [66.0, 66.0])
        self.assertEqual(set(invoices.mapped("state")), {"draft"})
        self.assertEqual(invoices.mapped("partner_id"), self.customer)
        self.assertEqual(contract.next_period_start, date(2026, 7, 1))
        self.assertEqual(contract.next_invoice_date, date(2026, 7, 1))
        self.assertEqual(contract.invoice_count, 2)
        label = invoices[0].invoice_line_ids.name
        self.assertIn("Full-service maintenance", label)
        self.assertIn("01/01/2026", label)
        self.assertIn("03/31/2026", label)
        with self.assertRaisesRegex(UserError, "Nothing is due"):
            contract.action_create_invoices()

    @freeze_time("2026-05-10")
    def test_arrears_invoices_only_ended_periods(self):
        contract = self._create_contract(billing_mode="arrears")
        self.assertEqual(contract.next_invoice_date, date(2026, 3, 31))
        contract.action_create_invoices()
        self.assertEqual(contract.invoice_ids.aftersales_period_end, date(2026, 3, 31))
        self.assertEqual(contract.next_invoice_date, date(2026, 6, 30))

    @freeze_time("2026-12-31")
    def test_prorata_first_and_last_period(self):
        # Q1 2026 has 90 days, Q4 has 92: 45/90 and 46/92 of a quarter are both half of it.
        contract = self._create_contract(date_start=date(2026, 2, 15), date_end=date(2026, 11, 15))
        contract.action_create_invoices()
        invoices = contract.invoice_ids.sorted("aftersales_period_start")
        self.assertEqual(len(invoices), 4)
        self.assertEqual(invoices.mapped("amount_untaxed"), [150.0, 300.0, 300.0, 150.0])
        self.assertEqual(invoices[0].aftersales_period_start, date(2026, 2, 15))
        self.assertEqual(invoices[-1].aftersales_period_end, date(2026, 11, 15))
        self.assertIn("(pro rata)", invoices[0].invoice_line_ids.name)
        self.assertNotIn("(pro rata)", invoices[1].invoice_line_ids.name)
        self.assertFalse(contract.next_invoice_date, "everything has been invoiced")

    def test_line_added_mid_period_billed_pro_rata_from_its_day(self):
        with freeze_time("2026-01-05"):
            contract = self._create_contract()
            contract.action_create_invoices()
        with freeze_time("2026-02-15"):
            self.env["aftersales.contract.line"].with_context(
                default_contract_id=contract.id
            ).create(
                {"contract_id": contract.id, "product_id": self.fee_product.id, "price_unit": 300.0}
            )
        new_line = contract.line_ids[-1]
        self.assertEqual(new_line.date_start, date(2026, 2, 15))
        with freeze_time("2026-04-01"):
            contract.action_create_invoices()
        q2 = contract.invoice_ids.filtered(lambda m: m.aftersales_period_start == date(2026, 4, 1))
        catch_up = q2.invoice_line_ids.filtered(lambda l: l.aftersales_contract_line_id == new_line)
        # 15 Feb - 31 Mar is 45 of Q1's 90 days, plus the whole of Q2.
        self.assertEqual(catch_up.price_subtotal, 450.0)
        self.assertIn("02/15/2026", catch_up.name)
        self.assertIn("06/30/2026", catch_up.name)
        self.assertEqual(q2.amount_untaxed, 750.0)
        self.assertEqual(new_line.date_last_invoiced, date(2026, 6, 30))

    @freeze_time("2026-01-10")
    def test_analytic_distribution_comes_from_contract(self):
        plan = self.env["account.analytic.plan"].create({"name": "Service"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Maintenance Nord", "plan_id": plan.id}
        )
        contract = self._create_contract(analytic_distribution={str(analytic.id): 100})
        contract.action_create_invoices()
        self.assertEqual(
            contract.invoice_ids.invoice_line_ids.analytic_distribution, {str(analytic.id): 100}
        )

    @freeze_time("2026-01-10")
    def test_posted_when_company_says_so(self):
        self.company.aftersales_invoice_post = True
        contract = self._create_contract()
        contract.action_create_invoices()
        self.assertEqual(contract.invoice_ids.state, "posted")

    def test_settings_toggle_posting(self):
        settings = Form(self.env["res.config.settings"])
        settings.aftersales_invoice_post = True
        settings.save().execute()
        self.assertTrue(self.company.aftersales_invoice_post)

    def test_only_active_contracts_are_invoiced(self):
        draft = self._create_contract(activate=False)
        with self.assertRaisesRegex(UserError, "not active"):
            draft.action_create_invoices()
        cancelled = self._create_contract(activate=False)
        cancelled.action_cancel()
        with self.assertRaisesRegex(UserError, "not active"):
            cancelled.action_create_invoices()
        self.assertFalse((draft | cancelled).invoice_ids)

    @freeze_time("2026-01-10")
    def test_database_refuses_second_invoice_for_a_period(self):
        contract = self._create_contract()
        contract.action_create_invoices()
        invoice = contract.invoice_ids
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "aftersales_contract_id": contract.id,
                    "aftersales_period_start": invoice.aftersales_period_start,
                    "aftersales_period_end": invoice.aftersales_period_end,
                }
            )
        # A rerun that believes the period is still open (a stale read, a second click)
        # fails and creates nothing.
        contract.next_period_start = date(2026, 1, 1)
        contract.line_ids.date_last_invoiced = False
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(UserError, "already been invoiced"):
            contract.action_create_invoices()
        self.assertEqual(len(contract.invoice_ids), 1)
        # Once that invoice is cancelled, the period may be invoiced again.
        invoice.button_cancel()
        contract.action_create_invoices()
        self.assertEqual(len(contract.invoice_ids.filtered(lambda m: m.state != "cancel")), 1)

    @freeze_time("2026-05-10")
    def test_cron_isolates_failing_contract(self):
        good = self._create_contract()
        bad = self._create_contract()
        Contract = self.registry["aftersales.contract"]
        original = Contract._prepare_invoice_vals

        def failing(contract, *args, **kwargs):
            if contract.id == bad.id:
                raise RuntimeError("No VAT number for e-invoicing")
            return original(contract, *args, **kwargs)

        with patch.object(Contract, "_prepare_invoice_vals", failing):
            self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertEqual(len(good.invoice_ids), 2, "Q1 and Q2 invoiced")
        self.assertFalse(bad.invoice_ids)
        self.assertIn("No VAT number", bad.invoicing_error)
        self.assertEqual(bad.next_period_start, date(2026, 1, 1), "left as it was")
        failed = self.env["aftersales.contract"].search([("invoicing_error", "!=", False)])
        self.assertEqual(failed, bad)
        # The next run succeeds and clears the error.
        self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertEqual(len(bad.invoice_ids), 2)
        self.assertFalse(bad.invoicing_error)

    @freeze_time("2026-05-10")
    def test_cron_rerun_does_not_invoice_twice(self):
        contracts = self._create_contract() | self._create_contract(billing_period="monthly")
        self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        count = len(contracts.invoice_ids)
        self.assertEqual(count, 2 + 5)
        self._run_cron("aftersales.ir_cron_aftersales_contract_invoice")
        self.assertEqual(len(contracts.invoice_ids), count)

    @freeze_time("2026-01-10")
    def test_no_chatter_message_per_invoice(self):
        contract = self._create_contract()
        messages = self.env["mail.message"].search_count([("model", "=", "aftersales.contract")])
        contract.action_create_invoices()
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "aftersales.contract")]),
            messages,
        )
