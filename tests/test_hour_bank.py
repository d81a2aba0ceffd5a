from datetime import date

import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged, users
from odoo.tools import mute_logger

from .common.base import AftersalesCase, load_migration


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestHourBank(AftersalesCase):
    """Hour banks: the ledger, conversion of labour kinds, overage, alerts, end of term."""

    def _create_bank(self, hours=10.0, **vals):
        return self._create_contract(contract_kind="hour_bank", hour_bank_hours=hours, **vals)

    def test_balance_from_the_ledger(self):
        bank = self._create_bank(20.0)
        self.assertEqual(bank.hour_move_ids.mapped("kind"), ["purchase"])
        result = bank._consume({"normal": 2.0, "overtime": 2.0, "travel": 1.0})
        # 2 normal + 2 overtime x 1.5 + 1 travel x 1.0 = 6 bank hours
        self.assertEqual(sorted(result["moves"].mapped("hours")), [-3.0, -2.0, -1.0])
        self.assertEqual(result["overage"], {})
        self.assertEqual(
            (bank.hour_bank_hours, bank.hour_bank_used, bank.hour_bank_remaining),
            (20.0, 6.0, 14.0),
        )
        overtime = result["moves"].filtered(lambda m: m.labour_kind == "overtime")
        self.assertEqual((overtime.worked_hours, overtime.hours), (2.0, -3.0))
        action = bank.action_view_hour_moves()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), bank.hour_move_ids)
        bank.hour_bank_holiday_factor = 2.5
        bank._consume({"holiday": 2.0})
        self.assertEqual(bank.hour_bank_remaining, 9.0)  # 14 - 2 x 2.5

    def test_runs_out_mid_intervention_rest_billed(self):
        bank = self._create_bank(4.0, hour_bank_overage="bill")
        result = bank._consume({"normal": 3.0, "overtime": 2.0})
        # 3 normal hours leave 1 bank hour: 1 / 1.5 = 0.6667 overtime hours covered,
        # 2 - 0.6667 = 1.3333 overtime hours to bill at the rate card
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        self.assertAlmostEqual(result["overage"]["overtime"], 4 / 3, places=6)
        self.assertNotIn("normal", result["overage"])
        overtime = result["moves"].filtered(lambda m: m.labour_kind == "overtime")
        self.assertAlmostEqual(overtime.worked_hours, 2 / 3, places=6)
        self.assertEqual(overtime.hours, -1.0)
        # nothing left: all billed, no empty move
        result = bank._consume({"normal": 1.0})
        self.assertFalse(result["moves"])
        self.assertEqual(result["overage"], {"normal": 1.0})

    def test_block_refuses_and_writes_nothing(self):
        bank = self._create_bank(4.0, hour_bank_overage="block")
        with self.assertRaisesRegex(UserError, "4 h left, this work needs 4.5 h"):
            bank._consume({"normal": 3.0, "overtime": 1.0})
        self.assertEqual(len(bank.hour_move_ids), 1)
        self.assertEqual(bank.hour_bank_remaining, 4.0)

    def test_bad_consumptions(self):
        bank = self._create_bank(4.0)
        with self.assertRaises(UserError):
            bank._consume({"normal": -1.0})
        with self.assertRaises(UserError):
            bank._consume({"night": 1.0})
        with self.assertRaises(UserError):
            self._create_contract()._consume({"normal": 1.0})  # not an hour bank
        with self.assertRaises(UserError):
            self._create_bank(4.0, activate=False)._consume({"normal": 1.0})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.env["aftersales.hour.move"].create(
                {"contract_id": bank.id, "kind": "consumption", "hours": 2.0}
            )
            self.env.flush_all()
        with self.assertRaises(UserError):
            bank.hour_bank_hours = 2.0  # hours bought cannot be taken back
        self.assertEqual(bank.hour_bank_remaining, 4.0)

    @users("as_technician")
    def test_technician_consumes_not_tops_up(self):
        bank = self._create_bank(4.0).with_user(self.env.user)
        ticket_model = self.env["aftersales.ticket"]
        self.assertTrue(ticket_model.has_access("read"))
        result = bank._consume({"normal": 1.5})
        self.assertEqual(bank.hour_bank_remaining, 2.5)
        self.assertEqual(result["moves"].user_id, self.env.user)
        with self.assertRaises(AccessError):
            bank._hour_bank_add(5.0)
        with self.assertRaises(AccessError):
            self.env["aftersales.hour.topup.wizard"].create(
                {"contract_id": bank.id, "hours": 5.0, "name": "Gift"}
            )
        with self.assertRaises(AccessError):
            self.env["aftersales.hour.move"].create(
                {"contract_id": bank.id, "kind": "topup", "hours": 5.0}
            )

    @users("as_accountant")
    def test_accountant_cannot_top_up(self):
        bank = self._create_bank(4.0).with_user(self.env.user)
        with self.assertRaises(AccessError):
            bank.hour_bank_hours = 10.0
        self.assertEqual(bank.sudo().hour_bank_remaining, 4.0)

    @users("as_manager")
    def test_manager_tops_up_with_the_wizard(self):
        bank = self._create_bank(4.0).with_user(self.env.user)
        action = bank.action_hour_bank_topup()
        with Form(self.env[action["res_model"]].with_context(**action["context"])) as wizard:
            wizard.hours = 6.0
            wizard.name = "Hours offered after the boiler recall"
        wizard.record.action_confirm()
        self.assertEqual((bank.hour_bank_hours, bank.hour_bank_remaining), (10.0, 10.0))
        topup = bank.hour_move_ids.filtered(lambda m: m.kind == "topup")
        self.assertEqual((topup.hours, topup.user_id), (6.0, self.env.user))
        with self.assertRaises(UserError):
            bank._hour_bank_add(0.0)

    def test_low_balance_alert_once_per_crossing(self):
        bank = self._create_bank(10.0, hour_bank_threshold=5.0)
        mails = self.env["mail.mail"].search([("model", "=", "aftersales.contract")])
        bank._consume({"normal": 4.0})  # 6 left: above
        self.assertFalse(bank.activity_ids)
        bank._consume({"normal": 2.0})  # 4 left: below, alert
        bank._consume({"normal": 1.0})  # 3 left: still below, no second alert
        self.assertEqual(len(bank.activity_ids), 1)
        new_mails = self.env["mail.mail"].search([("model", "=", "aftersales.contract")]) - mails
        self.assertEqual(len(new_mails), 1)
        self.assertEqual(new_mails.recipient_ids, self.customer)
        self.assertIn("4 hours left", new_mails.subject)
        bank._hour_bank_add(5.0)  # 8 left: armed again
        self.assertFalse(bank.hour_bank_low_notified)
        bank._consume({"normal": 4.0})
        self.assertEqual(len(bank.activity_ids), 2)

    def test_low_balance_at_creation_alerts_with_the_number(self):
        bank = self._create_bank(3.0, hour_bank_threshold=5.0)
        mail = self.env["mail.mail"].search(
            [("model", "=", "aftersales.contract"), ("res_id", "=", bank.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertTrue(bank.name.startswith("CT/2026/"))
        self.assertEqual(mail.subject, f"{bank.name}: 3 hours left")
        self.assertTrue(bank.hour_bank_low_notified)

    def test_hours_expire_at_the_end(self):
        bank = self._create_bank(10.0)
        bank._consume({"normal": 4.0})
        bank.action_close()
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        self.assertEqual(bank.hour_bank_expired, 6.0)
        self.assertEqual(bank.hour_move_ids.filtered(lambda m: m.kind == "expiry").hours, -6.0)

    def test_hours_carried_over_to_the_renewal(self):
        bank = self._create_bank(10.0, hour_bank_end="carry", renewal_type="proposal")
        bank._consume({"normal": 4.0})
        successor = bank._renew(date(2026, 10, 1))
        self.assertFalse(successor.hour_move_ids)
        bank.action_close()
        self.assertEqual((bank.hour_bank_remaining, bank.hour_bank_expired), (0.0, 6.0))
        self.assertEqual(successor.hour_bank_remaining, 6.0)
        self.assertEqual(successor.hour_move_ids.kind, "carry_in")

    def test_bank_search_and_coverage_domain(self):
        bank = self._create_bank(2.0)
        service = self._create_contract()
        Contract = self.env["aftersales.contract"]
        domain = Contract._hour_bank_domain(self.customer, date(2026, 3, 10))
        self.assertEqual(Contract.search(domain), bank)
        self.assertIn(service, Contract.search([("hour_bank_remaining", "<=", 0)]))
        bank._consume({"normal": 2.0})
        self.assertFalse(Contract.search(domain))
        self.assertIn(bank, Contract.search([("hour_bank_remaining", "=", 0)]))

    @users("as_portal")
    def test_portal_reads_the_balance(self):
        bank = self._create_bank(10.0)
        bank._consume({"normal": 2.5})
        portal_bank = bank.with_user(self.env.user)
        portal_bank.invalidate_recordset()
        self.assertEqual(portal_bank.hour_bank_remaining, 7.5)
        self.assertEqual(portal_bank.hour_bank_used, 2.5)
        with self.assertRaises(AccessError):
            self.env["aftersales.hour.move"].search([])

    def test_migration_of_the_stored_counter(self):
        bank = self._create_bank(0.0)
        other = self._create_bank(0.0)
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "ALTER TABLE aftersales_contract ADD COLUMN hour_bank_hours float8,"
            " ADD COLUMN hour_bank_used float8"
        )
        cr.execute(
            "UPDATE aftersales_contract SET hour_bank_hours = 20, hour_bank_used = 7.5"
            " WHERE id = %s",
            [bank.id],
        )
        cr.execute(
            "UPDATE aftersales_contract SET hour_bank_hours = 8, hour_bank_used = 0 WHERE id = %s",
            [other.id],
        )
        module = load_migration("migrations/19.0.1.1.0/post-migrate_hour_bank_ledger.py")
        module.migrate(cr, "19.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            (bank.hour_bank_hours, bank.hour_bank_used, bank.hour_bank_remaining),
            (20.0, 7.5, 12.5),
        )
        self.assertEqual(other.hour_move_ids.mapped("kind"), ["purchase"])
        self.assertEqual(other.hour_bank_remaining, 8.0)
        cr.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'aftersales_contract' AND column_name = 'hour_bank_used'"
        )
        self.assertEqual(cr.fetchone()[0], 0)
        module.migrate(cr, "19.0.1.0.0")  # a second run finds nothing to do
        self.assertEqual(len(bank.hour_move_ids), 2)

    def test_coverage_note_on_ticket_shows_hours_left(self):
        bank = self._create_bank(6.0)
        bank._consume({"normal": 1.5})
        ticket = self.env["aftersales.ticket"].create(
            {"partner_id": self.customer.id, "subject": "Grinder noisy"}
        )
        self.assertEqual(ticket.coverage_kind, "hour_bank")
        self.assertIn("4.5 h left", ticket.coverage_note)


@tagged("post_install", "-at_install")
class TestHourBankGeneration(AftersalesCase):
    def test_hours_pack_sold_once(self):
        template = self.env["aftersales.contract.template"].create(
            {
                "name": "Hour bank 20 h",
                "contract_kind": "hour_bank",
                "hour_bank_hours": 20.0,
                "generated_state": "active",
                "first_period_billing": "sale_order",
                "billing_period": "annual",
                "renewal_type": "none",
            }
        )
        pack = self.env["product.product"].create(
            {
                "name": "Hour bank 20 h",
                "type": "service",
                "list_price": 1100.0,
                "aftersales_contract_template_id": template.id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": pack.id, "product_uom_qty": 3.0})],
            }
        )
        order.action_confirm()
        bank = order.aftersales_contract_ids
        self.assertEqual(bank.hour_move_ids.mapped("kind"), ["purchase"])
        self.assertEqual(bank.hour_bank_hours, 60.0)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(len(bank.hour_move_ids), 1, "the invoice adds no second purchase")
