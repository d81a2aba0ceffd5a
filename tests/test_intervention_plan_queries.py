from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .common.base import AftersalesHelpdeskCase

# The Plan Intervention button of a ticket, in queries, whether the ticket's contract has
# no intervention or thousands: 24, and the 4 that drawing the intervention's number takes
# beyond the one it needs (the sequence and its date range searched and read before
# ``nextval``).
PLAN_QUERIES = 25
# the interventions already on the large contract, made in one INSERT
HISTORY = 5000


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestInterventionPlanQueries(AftersalesHelpdeskCase):
    """An intervention planned from a ticket, from the web client: the same queries
    whether the ticket's contract has no intervention yet or thousands, and the
    contract's margin still what its interventions and fees make."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["hr.employee"].create(
            {"name": "Tina Technician", "user_id": cls.user_technician.id}
        )
        cls.lot_small, cls.lot_large, cls.lot_warm = cls.env["stock.lot"].create(
            [
                {
                    "name": f"PLAN-{n}",
                    "product_id": cls.machine.id,
                    "aftersales_customer_id": cls.customer.id,
                }
                for n in range(3)
            ]
        )
        cls.contract_small, cls.contract_large, cls.contract_warm = (
            cls._create_contract(lines=[cls._fee_line(), cls._covered_line(lot=lot)])
            for lot in (cls.lot_small, cls.lot_large, cls.lot_warm)
        )
        cls._insert_done_interventions(cls.contract_large, HISTORY)

    @classmethod
    def _insert_done_interventions(cls, contract, count):
        """``count`` done interventions on ``contract``, each with its revenue and cost,
        written in one INSERT; the contract's margin recomputed once from them."""
        line = contract.line_ids.filtered("lot_id")
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                """
                INSERT INTO aftersales_intervention (
                    name, summary, intervention_type, state, company_id, partner_id,
                    commercial_partner_id, contract_id, contract_line_id, lot_id,
                    coverage_kind, revenue, cost_total, margin, technician_count
                )
                SELECT 'BULK/' || n, 'Past visit', 'corrective', 'done', %(company)s,
                       %(partner)s, %(partner)s, %(contract)s, %(line)s, %(lot)s,
                       'contract', (n %% 7) * 10.25, (n %% 5) * 8.10,
                       (n %% 7) * 10.25 - (n %% 5) * 8.10, 1
                  FROM generate_series(1, %(count)s) n
                """,
                company=contract.company_id.id,
                partner=contract.partner_id.id,
                contract=contract.id,
                line=line.id,
                lot=line.lot_id.id,
                count=count,
            )
        )
        cls.env.invalidate_all()
        field = contract._fields["margin"]
        for computed in cls.env.registry.field_computed[field]:
            cls.env.add_to_compute(computed, contract)
        cls.env.flush_all()

    def _ticket(self, lot):
        return self.env["aftersales.ticket"].create(
            {
                "subject": "Machine does not heat",
                "partner_id": self.customer.id,
                "team_id": self.team.id,
                "lot_id": lot.id,
                "user_id": self.user_technician.id,
            }
        )

    def _plan(self, ticket, warm_up=False):
        """The technician's Plan Intervention button on ``ticket``, from the web client
        (its language and time zone, tracking on); returns the queries it took."""
        ticket = ticket.with_user(self.user_technician).with_context(
            lang="en_US", tz="Europe/Rome", tracking_disable=False
        )
        self.env.flush_all()
        self.env.invalidate_all()
        # the request has checked its session: the user and company are loaded
        ticket.env.user.partner_id.read(["name"])
        ticket.env.company.read(["name"])
        if warm_up:
            ticket.action_plan_intervention()
            return None
        with self.assertQueryCount(PLAN_QUERIES):
            before = self.env.cr.sql_log_count
            ticket.action_plan_intervention()
            self.env.flush_all()
            self.env.cr.flush()
            count = self.env.cr.sql_log_count - before
        return count

    def test_plan_from_ticket_flat_with_the_contracts_history(self):
        large = self.contract_large
        figures = ("intervention_revenue", "revenue", "cost", "margin", "margin_percent")
        before = large.read(figures)[0]
        # a running server has warm caches (access rules, sequences, translations)
        self._plan(self._ticket(self.lot_warm), warm_up=True)
        on_new_contract = self._plan(self._ticket(self.lot_small))
        on_large_contract = self._plan(self._ticket(self.lot_large))
        self.assertEqual(on_large_contract, on_new_contract)
        self.assertEqual(len(large.intervention_ids), HISTORY + 1)
        self.assertEqual(self.contract_small.intervention_ids.coverage_kind, "contract")
        # the new visit costs and earns nothing yet: the contract's figures are unchanged,
        # the sums of its interventions
        self.assertEqual(large.read(figures)[0], before)
        revenue = sum((n % 7) * 10.25 for n in range(1, HISTORY + 1))
        cost = sum((n % 5) * 8.10 for n in range(1, HISTORY + 1))
        self.assertAlmostEqual(large.intervention_revenue, revenue, places=2)
        self.assertAlmostEqual(large.cost, cost, places=2)
        self.assertAlmostEqual(large.margin, large.fee_revenue + revenue - cost, places=2)

    def _stored_figures(self, contract):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT intervention_revenue, revenue, cost, margin FROM aftersales_contract"
            " WHERE id = %s",
            [contract.id],
        )
        return tuple(float(value or 0.0) for value in self.env.cr.fetchone())

    def test_contract_figures_follow_what_a_new_intervention_brings(self):
        """A new intervention without charges leaves its contract's figures as they are;
        with a charge that costs, or on a contract whose figures were to be computed
        again anyway, the figures are computed again."""
        contract = self.contract_small
        fee = contract.fee_revenue
        self.assertEqual(self._stored_figures(contract), (0.0, fee, 0.0, fee))
        self.company.aftersales_vehicle_cost_per_km = 0.5
        Intervention = self.env["aftersales.intervention"]
        Intervention.create(
            {
                "summary": "Visit with its travel",
                "partner_id": self.customer.id,
                "contract_id": contract.id,
                "travel_km": 10.0,
                "charge_ids": [Command.create({"kind": "travel", "name": "Travel"})],
            }
        )
        self.assertEqual(self._stored_figures(contract), (0.0, fee, 5.0, fee - 5.0))
        # the figures left wrong in the database and marked to be computed again before
        # a new intervention comes: they are computed again all the same
        self.env.cr.execute(
            "UPDATE aftersales_contract SET cost = 99, margin = 99 WHERE id = %s", [contract.id]
        )
        self.env.invalidate_all()
        for field in contract._margin_fields():
            self.env.add_to_compute(field, contract)
        Intervention.create(
            {"summary": "Visit", "partner_id": self.customer.id, "contract_id": contract.id}
        )
        self.assertEqual(self._stored_figures(contract), (0.0, fee, 5.0, fee - 5.0))
