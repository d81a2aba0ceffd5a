from datetime import date

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractConstraints(AftersalesCase):
    """Bad input gets a clear error and leaves nothing half-written."""

    def _count(self):
        return (
            self.env["aftersales.contract"].search_count([]),
            self.env["aftersales.contract.line"].search_count([]),
        )

    def _assert_refused(self, exception, vals_contract=None, lines=None):
        before = self._count()
        with mute_logger("odoo.sql_db"), self.assertRaises(exception), self.env.cr.savepoint():
            self._create_contract(lines=lines, activate=False, **(vals_contract or {}))
            self.env.flush_all()
        self.assertEqual(self._count(), before, "nothing half-written")

    def test_negative_quantity_price_or_bad_discount(self):
        self._assert_refused(psycopg2.errors.CheckViolation, lines=[self._fee_line(qty=-1.0)])
        self._assert_refused(psycopg2.errors.CheckViolation, lines=[self._fee_line(price=-5.0)])
        self._assert_refused(psycopg2.errors.CheckViolation, lines=[self._fee_line(discount=120.0)])
        self._assert_refused(psycopg2.errors.CheckViolation, lines=[self._fee_line(discount=-1.0)])

    def test_same_serial_in_two_overlapping_contracts(self):
        lot = self._create_lot("AUR-0100")
        self._create_contract(lines=[self._covered_line(lot)])
        draft = self._create_contract(
            lines=[self._covered_line(lot)],
            activate=False,
            date_start=date(2026, 6, 1),
            date_end=date(2027, 5, 31),
        )
        with self.assertRaisesRegex(ValidationError, "already covered"):
            draft.action_activate()
        self.assertEqual(draft.state, "draft")
        # after the first one ends, the serial may be covered again
        later = self._create_contract(
            lines=[self._covered_line(lot)], date_start=date(2027, 1, 1), date_end=False
        )
        self.assertEqual(later.state, "active")
        # and adding the serial twice to the same active contract is refused too, by the
        # database as the new line is inserted
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            later.write({"line_ids": [self._covered_line(lot)]})

    def test_records_of_another_company(self):
        tax_group = self.env["account.tax.group"].create(
            {
                "name": "IVA B",
                "company_id": self.company_b.id,
                "country_id": self.env.ref("base.it").id,
            }
        )
        other_tax = self.env["account.tax"].create(
            {
                "name": "B 22%",
                "amount": 22.0,
                "company_id": self.company_b.id,
                "tax_group_id": tax_group.id,
                "country_id": self.env.ref("base.it").id,
            }
        )
        other_product = self.env["product.product"].create(
            {"name": "B service", "type": "service", "company_id": self.company_b.id}
        )
        other_journal = self.env["account.journal"].create(
            {"name": "B sales", "code": "BSAL", "type": "sale", "company_id": self.company_b.id}
        )
        self._assert_refused(UserError, {"partner_id": self.customer_b.id})
        self._assert_refused(UserError, {"journal_id": other_journal.id})
        self._assert_refused(UserError, lines=[self._fee_line(product_id=other_product.id)])
        self._assert_refused(
            UserError, lines=[self._fee_line(tax_ids=[Command.set(other_tax.ids)])]
        )

    def test_activate_without_lines(self):
        contract = self._create_contract(lines=[], activate=False)
        with self.assertRaisesRegex(UserError, "no lines"):
            contract.action_activate()
        self.assertEqual(contract.state, "draft")

    def test_delete_guards(self):
        draft = self._create_contract(activate=False)
        draft.unlink()
        active = self._create_contract()
        with self.assertRaisesRegex(UserError, "cancel it instead"):
            active.unlink()
        with freeze_time("2026-01-05"):
            active.action_create_invoices()
        active.action_cancel()
        with self.assertRaisesRegex(UserError, "has invoices"):
            active.unlink()
        self.assertTrue(active.exists())

    def test_form_onchange_template_fills_terms(self):
        self.template.write({"billing_period": "monthly", "duration_months": 24})
        with Form(self.env["aftersales.contract"]) as form:
            form.partner_id = self.customer
            form.date_start = date(2026, 2, 1)
            form.template_id = self.template
            self.assertEqual(form.billing_period, "monthly")
            self.assertEqual(form.date_end, date(2028, 1, 31))
            self.assertEqual(form.renewal_type, "tacit")
            with form.line_ids.new() as line:
                line.product_id = self.fee_product
                self.assertEqual(line.price_unit, 600.0)
                self.assertEqual(line.date_start, date(2026, 2, 1))
        contract = form.record
        self.assertEqual(contract.line_ids.tax_ids, self.tax_22)
        self.assertEqual(contract.amount_untaxed, 600.0)
        self.assertTrue(contract.name.startswith("CT/2026/"))

    def test_customer_fiscal_position_maps_line_taxes(self):
        fpos = self.env["account.fiscal.position"].create({"name": "Export (test)"})
        tax_0 = self.env["account.tax"].create(
            {
                "name": "Esente art. 8 (test)",
                "amount": 0.0,
                "type_tax_use": "sale",
                "fiscal_position_ids": [Command.set(fpos.ids)],
                "original_tax_ids": [Command.set(self.tax_22.ids)],
            }
        )
        self.customer.property_account_position_id = fpos
        with Form(self.env["aftersales.contract"]) as form:
            form.partner_id = self.customer
            self.assertEqual(form.fiscal_position_id, fpos)
            with form.line_ids.new() as line:
                line.product_id = self.fee_product
        self.assertEqual(form.record.line_ids.tax_ids, tax_0)

    def test_annual_value_compares_billing_periods(self):
        quarterly = self._create_contract(lines=[self._fee_line(price=100.0)])
        monthly = self._create_contract(
            lines=[self._fee_line(price=100.0)], billing_period="monthly"
        )
        self.assertEqual((quarterly.amount_annual, monthly.amount_annual), (400.0, 1200.0))
