from odoo import api, models

# Default priority from the covering line's response time (working hours).
PRIORITY_BY_RESPONSE = [(4.0, "3"), (8.0, "2"), (24.0, "1")]


class AftersalesTicket(models.Model):
    """Coverage of a call: the look-up itself is ``aftersales.coverage.mixin``, shared
    with interventions; a call is dated by when it came in (``_coverage_date_field``), and
    its coverage sets its default priority."""

    _inherit = "aftersales.ticket"

    @api.depends("contract_line_id.response_hours", "lot_id.aftersales_criticality")
    def _compute_priority(self):
        for ticket in self:
            priority = "0"
            hours = ticket.contract_line_id.response_hours
            if ticket.contract_line_id and hours:
                priority = next((p for limit, p in PRIORITY_BY_RESPONSE if hours <= limit), "0")
            ticket.priority = max(priority, ticket.lot_id.aftersales_criticality or "0")
