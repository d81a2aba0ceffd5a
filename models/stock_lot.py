from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .aftersales_field_policy import MONEY_GROUPS
from .aftersales_ticket import PRIORITIES


class StockLot(models.Model):
    """The warranty registry: who has each serial, since when, and until when it is covered."""

    _inherit = "stock.lot"

    aftersales_customer_id = fields.Many2one(
        "res.partner", string="Customer", index="btree_not_null", tracking=True
    )
    aftersales_delivery_date = fields.Date(string="Delivered On", tracking=True)
    aftersales_warranty_end = fields.Date(
        string="Warranty Until",
        compute="_compute_aftersales_warranty_end",
        store=True,
        readonly=False,
        tracking=True,
    )
    aftersales_under_warranty = fields.Boolean(
        string="Under Warranty",
        compute="_compute_aftersales_under_warranty",
        search="_search_aftersales_under_warranty",
    )
    aftersales_contract_line_ids = fields.One2many(
        "aftersales.contract.line",
        "lot_id",
        string="Contract Lines",
        groups="aftersales.group_aftersales_user",
    )
    aftersales_contract_count = fields.Integer(
        string="Contracts",
        compute="_compute_aftersales_contract_count",
        groups="aftersales.group_aftersales_user",
    )

    @api.depends("aftersales_delivery_date", "product_id.aftersales_warranty_months")
    def _compute_aftersales_warranty_end(self):
        for lot in self:
            months = lot.product_id.aftersales_warranty_months
            if lot.aftersales_delivery_date and months:
                lot.aftersales_warranty_end = lot.aftersales_delivery_date + relativedelta(
                    months=months
                )
            elif not lot.aftersales_warranty_end:
                lot.aftersales_warranty_end = False

    def _compute_aftersales_under_warranty(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.aftersales_under_warranty = bool(
                lot.aftersales_warranty_end and lot.aftersales_warranty_end >= today
            )

    def _search_aftersales_under_warranty(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        domain = [("aftersales_warranty_end", ">=", today)]
        positive = (operator == "in") == (True in value)
        return domain if positive else ["!", *domain]

    def _compute_aftersales_contract_count(self):
        counts = dict(
            self.env["aftersales.contract.line"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["contract_id:count_distinct"]
            )
        )
        for lot in self:
            lot.aftersales_contract_count = counts.get(lot, 0)

    def action_view_aftersales_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_contract_action"
        )
        action["domain"] = [("line_ids.lot_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _aftersales_register_delivery(self, partner, day):
        """Record that these serials were delivered to ``partner`` on ``day``."""
        self.write(
            {
                "aftersales_customer_id": partner.commercial_partner_id.id,
                "aftersales_delivery_date": day,
            }
        )

    # ------------------------------------------------------------------
    # Serials replaced during interventions: the link between the old and the new one.
    # ------------------------------------------------------------------

    aftersales_replaced_by_id = fields.Many2one(
        "stock.lot",
        string="Replaced By",
        copy=False,
        readonly=True,
        tracking=True,
        help="The serial that took this one's place at the customer's, with its contract "
        "lines and warranty.",
    )
    aftersales_replaces_id = fields.Many2one(
        "stock.lot",
        string="Replaces",
        copy=False,
        readonly=True,
        tracking=True,
    )

    # ------------------------------------------------------------------
    # A serial's own reliability figures, read from the reliability report so that the
    # form and the report never disagree. Technicians see how the machine behaves, not
    # what it costs or earns.
    # ------------------------------------------------------------------

    aftersales_machine_years = fields.Float(
        string="Machine-Years", compute="_compute_aftersales_reliability", digits=(16, 2)
    )
    aftersales_calls = fields.Integer(
        string="Corrective Calls", compute="_compute_aftersales_reliability"
    )
    aftersales_mtbf_days = fields.Float(
        string="MTBF (days)",
        compute="_compute_aftersales_reliability",
        digits=(16, 1),
        help="Days in service since delivery per corrective call.",
    )
    aftersales_mttr_hours = fields.Float(
        string="MTTR (h)",
        compute="_compute_aftersales_reliability",
        digits=(16, 2),
        help="Mean hours from start to finish of the corrective interventions done.",
    )
    aftersales_calls_per_year = fields.Float(
        string="Calls per Machine-Year", compute="_compute_aftersales_reliability", digits=(16, 2)
    )
    aftersales_cost_per_year = fields.Monetary(
        string="Cost to Serve per Machine-Year",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
    )
    aftersales_fee_per_year = fields.Monetary(
        string="Fee per Machine-Year",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
    )
    aftersales_service_balance = fields.Monetary(
        string="Earned less Cost",
        compute="_compute_aftersales_reliability",
        currency_field="aftersales_currency_id",
        groups=MONEY_GROUPS,
        help="Contract fees and billed interventions less the cost to serve, since delivery.",
    )
    aftersales_currency_id = fields.Many2one(
        "res.currency", string="Currency", compute="_compute_aftersales_reliability"
    )

    @api.depends_context("company")
    def _compute_aftersales_reliability(self):
        # the report's own query, restricted to these serials and to the company they
        # are seen in: the serial's own, else the current one (the figures are the
        # serial's own; the money fields are restricted by their groups)
        Report = self.env["aftersales.reliability.report"]
        rows = {}
        for company, lots in self.grouped(lambda lot: lot.company_id or self.env.company).items():
            rows.update(Report._rows_for_lots(lots._origin.ids, company))
        for lot in self:
            row = rows.get(lot._origin.id, {})
            lot.aftersales_machine_years = float(row.get("machine_years") or 0.0)
            lot.aftersales_calls = row.get("calls") or 0
            lot.aftersales_mtbf_days = float(row.get("mtbf_days") or 0.0)
            lot.aftersales_mttr_hours = float(row.get("mttr_hours") or 0.0)
            lot.aftersales_calls_per_year = float(row.get("calls_per_year") or 0.0)
            lot.aftersales_cost_per_year = float(row.get("cost_per_year") or 0.0)
            lot.aftersales_fee_per_year = float(row.get("fee_per_year") or 0.0)
            lot.aftersales_service_balance = float(row.get("balance") or 0.0)
            lot.aftersales_currency_id = row.get("currency_id") or lot.company_id.currency_id

    # ------------------------------------------------------------------
    # The help desk side of a serial: its criticality and its tickets.
    # ------------------------------------------------------------------

    aftersales_criticality = fields.Selection(
        PRIORITIES,
        string="Criticality",
        default="0",
        help="Raises the priority of this machine's tickets to at least this level.",
    )
    aftersales_ticket_ids = fields.One2many(
        "aftersales.ticket", "lot_id", string="Tickets", groups="aftersales.group_aftersales_user"
    )
    aftersales_ticket_count = fields.Integer(
        string="Ticket Count",
        compute="_compute_aftersales_ticket_count",
        groups="aftersales.group_aftersales_user",
    )

    def _compute_aftersales_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
            )
        )
        for lot in self:
            lot.aftersales_ticket_count = counts.get(lot, 0)

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales.aftersales_ticket_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {
            "default_lot_id": self.id,
            "default_partner_id": self.aftersales_customer_id.id,
        }
        return action
