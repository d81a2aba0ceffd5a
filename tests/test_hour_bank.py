from datetime import date
from unittest.mock import patch

import psycopg2

from odoo import sql_db
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged, users
from odoo.tools import SQL, mute_logger

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
        result = bank._hour_bank_draw({"normal": 2.0, "overtime": 2.0, "travel": 1.0})
        # 2 normal + 2 overtime x 1.5 + 1 travel x 1.0 = 6 bank hours
        self.assertEqual(sorted(result.moves.mapped("hours")), [-3.0, -2.0, -1.0])
        self.assertEqual(result.overage, {})
        self.assertEqual(
            (bank.hour_bank_hours, bank.hour_bank_used, bank.hour_bank_remaining),
            (20.0, 6.0, 14.0),
        )
        overtime = result.moves.filtered(lambda m: m.labour_kind == "overtime")
        self.assertEqual((overtime.worked_hours, overtime.hours), (2.0, -3.0))
        action = bank.action_view_hour_moves()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), bank.hour_move_ids)
        bank.hour_bank_holiday_factor = 2.5
        bank._hour_bank_draw({"holiday": 2.0})
        self.assertEqual(bank.hour_bank_remaining, 9.0)  # 14 - 2 x 2.5

    def test_runs_out_mid_intervention_rest_billed(self):
        bank = self._create_bank(4.0, hour_bank_overage="bill")
        result = bank._hour_bank_draw({"normal": 3.0, "overtime": 2.0})
        # 3 normal hours leave 1 bank hour: 1 / 1.5 = 0.6667 overtime hours covered,
        # 2 - 0.6667 = 1.3333 overtime hours to bill at the rate card
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        self.assertAlmostEqual(result.overage["overtime"], 4 / 3, places=6)
        self.assertNotIn("normal", result.overage)
        overtime = result.moves.filtered(lambda m: m.labour_kind == "overtime")
        self.assertAlmostEqual(overtime.worked_hours, 2 / 3, places=6)
        self.assertEqual(overtime.hours, -1.0)
        # nothing left: all billed, no empty move
        result = bank._hour_bank_draw({"normal": 1.0})
        self.assertFalse(result.moves)
        self.assertEqual(result.overage, {"normal": 1.0})

    def test_block_refuses_and_writes_nothing(self):
        bank = self._create_bank(4.0, hour_bank_overage="block")
        with self.assertRaisesRegex(UserError, "4 h left, this work needs 4.5 h"):
            bank._hour_bank_draw({"normal": 3.0, "overtime": 1.0})
        self.assertEqual(len(bank.hour_move_ids), 1)
        self.assertEqual(bank.hour_bank_remaining, 4.0)

    def test_bad_consumptions(self):
        bank = self._create_bank(4.0)
        with self.assertRaises(UserError):
            bank._hour_bank_draw({"normal": -1.0})
        with self.assertRaises(UserError):
            bank._hour_bank_draw({"night": 1.0})
        with self.assertRaises(UserError):
            self._create_contract()._hour_bank_draw({"normal": 1.0})  # not an hour bank
        with self.assertRaises(UserError):
            self._create_bank(4.0, activate=False)._hour_bank_draw({"normal": 1.0})
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
        result = bank._hour_bank_draw({"normal": 1.5})
        self.assertEqual(bank.hour_bank_remaining, 2.5)
        self.assertEqual(result.moves.user_id, self.env.user)
        with self.assertRaises(AccessError):
            bank._hour_bank_top_up(5.0)
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
            bank._hour_bank_top_up(0.0)

    def test_low_balance_alert_once_per_crossing(self):
        bank = self._create_bank(10.0, hour_bank_threshold=5.0)
        mails = self.env["mail.mail"].search([("model", "=", "aftersales.contract")])
        bank._hour_bank_draw({"normal": 4.0})  # 6 left: above
        self.assertFalse(bank.activity_ids)
        bank._hour_bank_draw({"normal": 2.0})  # 4 left: below, alert
        bank._hour_bank_draw({"normal": 1.0})  # 3 left: still below, no second alert
        self.assertEqual(len(bank.activity_ids), 1)
        new_mails = self.env["mail.mail"].search([("model", "=", "aftersales.contract")]) - mails
        self.assertEqual(len(new_mails), 1)
        self.assertEqual(new_mails.recipient_ids, self.customer)
        self.assertIn("4 hours left", new_mails.subject)
        bank._hour_bank_top_up(5.0)  # 8 left: armed again
        self.assertFalse(bank.hour_bank_low_notified)
        bank._hour_bank_draw({"normal": 4.0})
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
        bank._hour_bank_draw({"normal": 4.0})
        bank.action_close()
        self.assertEqual(bank.hour_bank_remaining, 0.0)
        self.assertEqual(bank.hour_bank_expired, 6.0)
        self.assertEqual(bank.hour_move_ids.filtered(lambda m: m.kind == "expiry").hours, -6.0)

    def test_hours_carried_over_to_the_renewal(self):
        bank = self._create_bank(10.0, hour_bank_end="carry", renewal_type="proposal")
        bank._hour_bank_draw({"normal": 4.0})
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
        bank._hour_bank_draw({"normal": 2.0})
        self.assertFalse(Contract.search(domain))
        self.assertIn(bank, Contract.search([("hour_bank_remaining", "=", 0)]))

    @users("as_portal")
    def test_portal_reads_the_balance(self):
        bank = self._create_bank(10.0)
        bank._hour_bank_draw({"normal": 2.5})
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
        # upgrading from 19.0.1.0.0 runs the next version's script too: it sums the new
        # ledgers by month, where the balances are read
        load_migration("migrations/19.0.1.2.0/post-migrate_report_summaries.py").migrate(
            cr, "19.0.1.0.0"
        )
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
        bank._hour_bank_draw({"normal": 1.5})
        ticket = self.env["aftersales.ticket"].create(
            {"partner_id": self.customer.id, "subject": "Grinder noisy"}
        )
        self.assertEqual(ticket.coverage_kind, "hour_bank")
        self.assertIn("4.5 h left", ticket.coverage_note)

    # ------------------------------------------------------------------
    # The API returns the split: the callers use it as it is
    # ------------------------------------------------------------------
    def test_draw_with_enough_hours_covers_everything(self):
        bank = self._create_bank(20.0)
        split = bank._hour_bank_draw({"normal": 2.0, "overtime": 2.0, "travel": 1.0})
        self.assertEqual(split.covered, {"normal": 2.0, "overtime": 2.0, "travel": 1.0})
        self.assertEqual(split.overage, {})
        self.assertEqual(split.moves, bank.hour_move_ids.filtered(lambda m: m.kind != "purchase"))
        self.assertEqual(bank.hour_bank_remaining, 14.0)  # 2 + 2 x 1.5 + 1

    def test_draw_short_on_a_bill_bank_splits_each_kind(self):
        bank = self._create_bank(4.0, hour_bank_overage="bill")
        split = bank._hour_bank_draw({"normal": 3.0, "overtime": 2.0, "holiday": 1.0})
        # 3 normal hours leave 1 bank hour: 1 / 1.5 overtime hours covered, the rest and
        # the whole holiday hour are the overage
        self.assertEqual(split.covered["normal"], 3.0)
        self.assertAlmostEqual(split.covered["overtime"], 2 / 3, places=6)
        self.assertEqual(set(split.covered), {"normal", "overtime"})
        self.assertAlmostEqual(split.overage["overtime"], 4 / 3, places=6)
        self.assertEqual(split.overage["holiday"], 1.0)
        self.assertNotIn("normal", split.overage)
        for kind, hours in {"normal": 3.0, "overtime": 2.0, "holiday": 1.0}.items():
            self.assertAlmostEqual(
                split.covered.get(kind, 0.0) + split.overage.get(kind, 0.0), hours, places=9
            )
        self.assertEqual(sorted(split.moves.mapped("hours")), [-3.0, -1.0])
        self.assertEqual(bank.hour_bank_remaining, 0.0)

    def test_give_back_returns_the_hours_given_back(self):
        bank = self._create_bank(10.0)
        drawn = bank._hour_bank_draw({"normal": 2.0, "overtime": 2.0}, date=date(2026, 3, 2))
        split = bank._hour_bank_give_back(drawn.moves)
        self.assertEqual(split.covered, {"normal": 2.0, "overtime": 2.0})
        self.assertEqual(split.overage, {})
        self.assertEqual(split.moves.mapped("kind"), ["reversal", "reversal"])
        self.assertEqual(split.moves.reversed_move_id, drawn.moves)
        self.assertEqual(set(split.moves.mapped("date")), {date(2026, 3, 2)})
        self.assertEqual((bank.hour_bank_used, bank.hour_bank_remaining), (0.0, 10.0))
        # a consumption is given back once: a second call writes nothing
        again = bank._hour_bank_give_back(drawn.moves)
        self.assertFalse(again.moves)
        self.assertEqual(len(bank.hour_move_ids), 5)
        # the moves of another bank are not this one's to give back
        other = self._create_bank(5.0)
        moves = other._hour_bank_draw({"normal": 1.0}).moves
        with self.assertRaisesRegex(UserError, "does not hold these hours"):
            bank._hour_bank_give_back(moves)

    def test_draw_replacing_a_draw_gives_it_back_first(self):
        bank = self._create_bank(4.0, hour_bank_overage="block")
        first = bank._hour_bank_draw({"normal": 3.0})
        # 4 h again: possible only once the first 3 h are back
        split = bank._hour_bank_draw({"normal": 4.0}, replacing=first.moves)
        self.assertEqual(split.covered, {"normal": 4.0})
        self.assertEqual(first.moves.reversal_ids.hours, 3.0)
        self.assertEqual(bank.hour_bank_remaining, 0.0)

    def test_top_up_returns_its_move(self):
        bank = self._create_bank(4.0)
        split = bank._hour_bank_top_up(2.0, name="Gift", date=date(2026, 3, 1))
        self.assertEqual((split.moves.kind, split.moves.hours), ("topup", 2.0))
        self.assertEqual(split.moves.date, date(2026, 3, 1))
        self.assertEqual((split.covered, split.overage), ({}, {}))
        with self.assertRaisesRegex(UserError, "Unknown kind of top-up"):
            bank._hour_bank_top_up(2.0, kind="carry_in")

    # ------------------------------------------------------------------
    # Every write checks the alert again
    # ------------------------------------------------------------------
    def test_hours_given_back_arm_the_alert_again(self):
        bank = self._create_bank(10.0, hour_bank_threshold=5.0)
        drawn = bank._hour_bank_draw({"normal": 6.0})  # 4 left: below, alert
        self.assertTrue(bank.hour_bank_low_notified)
        self.assertEqual(len(bank.activity_ids), 1)
        bank._hour_bank_give_back(drawn.moves)  # 10 left: armed again
        self.assertFalse(bank.hour_bank_low_notified)
        bank._hour_bank_draw({"normal": 6.0})  # below again: a second alert
        self.assertEqual(len(bank.activity_ids), 2)

    def test_redraw_checks_the_alert_once_on_the_final_balance(self):
        bank = self._create_bank(10.0, hour_bank_threshold=5.0)
        drawn = bank._hour_bank_draw({"normal": 6.0})  # 4 left: below, alert
        # drawn again with half an hour more: given back (10 left), drawn (3.5 left),
        # still below: no second alert
        bank._hour_bank_draw({"normal": 6.5}, replacing=drawn.moves)
        self.assertTrue(bank.hour_bank_low_notified)
        self.assertEqual(len(bank.activity_ids), 1)

    def test_hours_carried_over_arm_the_renewal_alert(self):
        bank = self._create_bank(
            10.0, hour_bank_threshold=5.0, hour_bank_end="carry", renewal_type="proposal"
        )
        bank._hour_bank_draw({"normal": 4.0})  # 6 left: above
        successor = bank._renew(date(2026, 10, 1))
        # the renewal starts empty, below its threshold: alerted at creation
        self.assertTrue(successor.hour_bank_low_notified)
        bank.action_close()
        # 6 h carried over: the renewal is above its threshold again; the closed bank,
        # at 0 h, is not alerted
        self.assertEqual(successor.hour_bank_remaining, 6.0)
        self.assertFalse(successor.hour_bank_low_notified)
        self.assertFalse(bank.hour_bank_low_notified)

    # ------------------------------------------------------------------
    # The balance comes from the month summary
    # ------------------------------------------------------------------
    def _coverage_balance_queries(self, draws):
        """The queries of a ticket's coverage look-up and note (the hours left) with a
        bank of ``draws`` consumptions."""
        bank = self._create_bank(1000.0)
        for day in range(draws):
            bank._hour_bank_draw({"normal": 0.5}, date=date(2026, 1 + day % 3, 1 + day % 28))
        self.assertEqual(len(bank.hour_move_ids), draws + 1)
        ticket = self.env["aftersales.ticket"].create(
            {"partner_id": self.customer.id, "subject": "Grinder noisy"}
        )
        self.env.invalidate_all()
        queries = []
        execute = sql_db.Cursor.execute

        def spy(cr, query, params=None, log_exceptions=None):
            queries.append(str(query.code if isinstance(query, SQL) else query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(sql_db.Cursor, "execute", spy), self.assertQueryCount(8):
            found = ticket._coverage_lookup()
            note = ticket.coverage_note
        self.assertEqual(found[ticket], ("hour_bank", False, bank))
        self.assertIn("%g h left" % (1000 - 0.5 * draws), note)
        return queries

    def test_coverage_balance_read_does_not_grow_with_the_ledger(self):
        for draws in (10, 200):
            with self.subTest(draws=draws):
                queries = self._coverage_balance_queries(draws)
                # the balance is the month summary's: the ledger itself is not read
                self.assertFalse([q for q in queries if "aftersales_hour_move" in q])

    def test_search_by_hours_left(self):
        empty = self._create_bank(0.0)
        bank = self._create_bank(3.0)
        bank._hour_bank_draw({"normal": 1.0})  # 2 left
        Contract = self.env["aftersales.contract"]
        ids = (empty | bank).ids
        for operator, value, expected in (
            (">", 0, bank),
            (">=", 2.0, bank),
            ("<", 2.0, empty),
            ("<=", 2.0, empty | bank),
            ("=", 0, empty),
            ("=", 2.0, bank),
            ("!=", 0, bank),
            ("!=", 2.0, empty),
        ):
            with self.subTest(operator=operator, value=value):
                found = Contract.search(
                    [("id", "in", ids), ("hour_bank_remaining", operator, value)]
                )
                self.assertEqual(found, expected)


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
