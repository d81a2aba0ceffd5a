from odoo import fields, models


class AftersalesIntervention(models.Model):
    """Costing: the charge lines of a finished intervention, priced at its rate card,
    split by coverage, with their costs read from the standard records of the work."""

    _inherit = "aftersales.intervention"

    charge_ids = fields.One2many(
        "aftersales.intervention.charge", "intervention_id", string="Charges", copy=False
    )
