from odoo import api, fields, models
from odoo.fields import Domain


class AftersalesContract(models.Model):
    """Hour-bank contracts: the customer buys a number of hours in advance, and calls not
    covered by a service contract or the warranty draw on them."""

    _inherit = "aftersales.contract"

    contract_kind = fields.Selection(
        [("service", "Service contract"), ("hour_bank", "Hour bank")],
        string="Kind",
        required=True,
        default="service",
        tracking=True,
    )
    hour_bank_hours = fields.Float(string="Prepaid Hours", tracking=True)
    hour_bank_used = fields.Float(
        string="Hours Used",
        readonly=True,
        copy=False,
        help="Hours drawn so far by the calls and interventions charged to this hour bank.",
    )
    hour_bank_remaining = fields.Float(
        string="Hours Left", compute="_compute_hour_bank_remaining", store=True
    )

    _hour_bank_positive = models.Constraint(
        "CHECK (hour_bank_hours >= 0 AND hour_bank_used >= 0)",
        "Prepaid and used hours cannot be negative.",
    )

    @api.depends("hour_bank_hours", "hour_bank_used")
    def _compute_hour_bank_remaining(self):
        for contract in self:
            contract.hour_bank_remaining = contract.hour_bank_hours - contract.hour_bank_used

    @api.model
    def _hour_bank_domain(self, partners, day):
        """Active hour banks with hours left on ``day`` of the commercial entities of
        ``partners`` (one customer or a whole batch of tickets' customers)."""
        return (
            Domain("contract_kind", "=", "hour_bank")
            & Domain("state", "=", "active")
            & Domain("commercial_partner_id", "in", partners.commercial_partner_id.ids)
            & Domain("date_start", "<=", day)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", day))
            & Domain("hour_bank_remaining", ">", 0)
        )
