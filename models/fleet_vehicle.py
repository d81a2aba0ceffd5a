from odoo import fields, models

from .aftersales_field_policy import MONEY_GROUPS


class FleetVehicle(models.Model):
    _inherit = "fleet.vehicle"

    aftersales_location_id = fields.Many2one(
        "stock.location",
        string="Van Location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="The stock location of the spare parts carried in this vehicle; technicians "
        "driving it use their materials from here. Refill it by internal transfers.",
    )

    # ------------------------------------------------------------------
    # The cost of a van's kilometres, for the cost side of interventions.
    # ------------------------------------------------------------------

    aftersales_cost_per_km = fields.Monetary(
        string="Cost per km",
        help="Running cost of a kilometre with this vehicle; empty uses the company's default.",
        groups=MONEY_GROUPS,
    )

    _aftersales_cost_per_km_positive = models.Constraint(
        "CHECK (aftersales_cost_per_km >= 0)", "A cost per km cannot be negative."
    )

    def _aftersales_km_cost(self, km):
        """The cost of ``km`` kilometres with this vehicle (the company's default rate when
        the vehicle has none), rounded in the company's currency."""
        self.ensure_one()
        company = self.company_id or self.env.company
        rate = self.aftersales_cost_per_km or company.aftersales_vehicle_cost_per_km
        return company.currency_id.round(km * rate)
