from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, tagged, users

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestTicketCoverage(AftersalesHelpdeskCase):
    """Coverage order: contract line of the serial, of the product, warranty, hour bank,
    billable; the form says why; a manager may override, tracked."""

    def _old_lot(self, name, partner=None):
        return self._create_lot(
            name,
            aftersales_customer_id=(partner or self.customer).id,
            aftersales_delivery_date=date(2023, 1, 1),
        )

    def test_contract_line_of_the_serial_comes_first(self):
        contract = self._create_contract(
            lines=[self._covered_line(lot=self.lot, response_hours=4.0, resolution_hours=16.0)]
        )
        self._create_contract(contract_kind="hour_bank", hour_bank_hours=20.0)
        ticket = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.coverage_kind, "contract")
        self.assertEqual(ticket.contract_id, contract)
        self.assertEqual(ticket.contract_line_id, contract.line_ids)
        self.assertEqual(ticket.product_id, self.machine)
        self.assertIn(contract.name, ticket.coverage_note)
        self.assertIn("response 4 h", ticket.coverage_note)
        self.assertEqual(ticket.sla_response_hours, 4.0)
        self.assertEqual(ticket.sla_resolution_hours, 16.0)
        self.assertEqual(ticket.priority, "3", "a 4-hour response is critical")

    def test_product_line_covers_serials_without_their_own_line(self):
        contract = self._create_contract(lines=[self._covered_line(response_hours=8.0)])
        lot = self._old_lot("AUR-0100")
        ticket = self._create_ticket(lot_id=lot.id)
        self.assertEqual(ticket.coverage_kind, "contract")
        self.assertEqual(ticket.contract_id, contract)
        self.assertEqual(ticket.priority, "2")
        no_serial = self._create_ticket(product_id=self.machine.id)
        self.assertEqual(no_serial.contract_line_id, contract.line_ids)

    def test_warranty_then_hour_bank_then_billable(self):
        under_warranty = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(under_warranty.coverage_kind, "warranty")
        self.assertFalse(under_warranty.contract_id)
        self.assertIn("2027-06-01", under_warranty.coverage_note)
        self.assertEqual(under_warranty.sla_response_hours, 16.0, "the team's default SLA")

        expired = self._old_lot("AUR-0200")
        billable = self._create_ticket(lot_id=expired.id)
        self.assertEqual(billable.coverage_kind, "billable")
        self.assertIn("2025-01-01", billable.coverage_note)

        bank = self._create_contract(contract_kind="hour_bank", hour_bank_hours=20.0)
        ticket = self._create_ticket(lot_id=expired.id)
        self.assertEqual(ticket.coverage_kind, "hour_bank")
        self.assertEqual(ticket.contract_id, bank)
        self.assertIn("20 h left", ticket.coverage_note)

    def test_contract_outside_its_dates_or_of_another_customer_does_not_cover(self):
        self._create_contract(
            lines=[self._covered_line(lot=self.lot)],
            date_start=date(2025, 1, 1),
            date_end=date(2025, 12, 31),
        )
        self._create_contract(partner_id=self.customer_other.id, lines=[self._covered_line()])
        ticket = self._create_ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.coverage_kind, "warranty")

    def test_coverage_follows_the_serial_in_the_form(self):
        contract = self._create_contract(lines=[self._covered_line(lot=self.lot)])
        expired = self._old_lot("AUR-0300")
        with Form(self.env["aftersales.ticket"].with_user(self.user_technician)) as form:
            form.subject = "Pump noise"
            form.partner_id = self.customer
            form.team_id = self.team
            form.lot_id = expired
            self.assertEqual(form.coverage_kind, "billable")
            form.lot_id = self.lot
            self.assertEqual(form.coverage_kind, "contract")
            self.assertEqual(form.contract_id, contract)
        ticket = form.record
        self.assertEqual(ticket.channel, "web")
        self.assertTrue(ticket.name.startswith("TK/2026/"))
        ticket.lot_id = expired
        self.assertEqual(ticket.coverage_kind, "billable")
        self.assertFalse(ticket.contract_id)

    def test_batch_look_up_matches_one_by_one(self):
        self._create_contract(lines=[self._covered_line(lot=self.lot)])
        expired = self._old_lot("AUR-0400")
        other = self._old_lot("DV-0001", partner=self.customer_other)
        self._create_contract(partner_id=self.customer_other.id, contract_kind="hour_bank")
        vals = [
            {"subject": "a", "partner_id": self.customer.id, "lot_id": self.lot.id},
            {"subject": "b", "partner_id": self.customer.id, "lot_id": expired.id},
            {"subject": "c", "partner_id": self.customer_other.id, "lot_id": other.id},
        ]
        tickets = self.env["aftersales.ticket"].create(vals)
        self.assertEqual(tickets.mapped("coverage_kind"), ["contract", "billable", "billable"])
        other_bank = self.env["aftersales.contract"].search(
            [("partner_id", "=", self.customer_other.id)]
        )
        other_bank.write({"hour_bank_hours": 10.0})
        tickets[2].lot_id = False
        tickets[2].lot_id = other
        self.assertEqual(tickets[2].coverage_kind, "hour_bank")

    def test_one_rule_for_one_ticket_and_for_a_batch(self):
        """The days a line covers are its own within its contract's. On each boundary,
        for a serial's line and for a product's line, a ticket alone and the same ticket
        in a batch of two customers find the same line."""
        lot = self._old_lot("AUR-0500")
        other = self._old_lot("DV-0500", partner=self.customer_other)
        contract = self._create_contract(
            lines=[
                self._covered_line(
                    lot=lot, date_start=date(2026, 2, 1), date_end=date(2026, 11, 30)
                ),
                self._covered_line(product=self.grinder),
            ]
        )
        by_serial, by_product = contract.line_ids.sorted(lambda line: not line.lot_id)
        self._create_contract(
            partner_id=self.customer_other.id, lines=[self._covered_line(lot=other)]
        )
        nothing = self.env["aftersales.contract.line"]
        vals = [
            {"subject": "serial", "partner_id": self.customer.id, "lot_id": lot.id},
            {"subject": "product", "partner_id": self.customer.id, "product_id": self.grinder.id},
            {"subject": "other", "partner_id": self.customer_other.id, "lot_id": other.id},
        ]
        for day, expected in (
            ("2026-01-31", [nothing, by_product]),
            ("2026-02-01", [by_serial, by_product]),
            ("2026-11-30", [by_serial, by_product]),
            ("2026-12-01", [nothing, by_product]),
            ("2026-12-31", [nothing, by_product]),
            ("2027-01-01", [nothing, nothing]),
        ):
            with self.subTest(day=day), freeze_time(f"{day} 12:00:00"):
                alone = [self._create_ticket(**v).contract_line_id for v in vals[:2]]
                batch = self.env["aftersales.ticket"].create(
                    [{**v, "team_id": self.team.id} for v in vals]
                )
                self.assertEqual(alone, expected)
                self.assertEqual([ticket.contract_line_id for ticket in batch[:2]], expected)

    @users("as_manager")
    def test_manager_override_is_tracked(self):
        Ticket = self.env["aftersales.ticket"].with_context(tracking_disable=False)
        ticket = Ticket.create(
            {"subject": "Leak", "partner_id": self.customer.id, "lot_id": self.lot.id}
        )
        self.env.flush_all()
        self.env.cr.flush()  # runs the precommit hooks that write tracking values
        ticket.coverage_override = "billable"
        self.env.flush_all()
        self.env.cr.flush()
        self.assertEqual(ticket.coverage_kind, "billable")
        self.assertEqual(ticket.coverage_auto, "warranty")
        self.assertTrue(ticket.coverage_note.startswith("Set by a manager"))
        ticket.invalidate_recordset(["message_ids"])
        tracked = ticket.message_ids.sudo().tracking_value_ids.field_id.mapped("name")
        self.assertIn("coverage_override", tracked, "the override is in the chatter")
        self.assertIn("coverage_kind", tracked)
        ticket.coverage_override = False
        self.assertEqual(ticket.coverage_kind, "warranty")

    def test_technician_cannot_override(self):
        ticket = self._create_ticket(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_technician).write({"coverage_override": "billable"})
        self.assertEqual(ticket.coverage_kind, "warranty")
