from odoo import models

# Interventions made at the customer's: they have a call-out fee and travel.
ON_SITE_TYPES = ("corrective", "preventive", "installation")


class AftersalesIntervention(models.Model):
    """Charges of going to the customer: the call-out fee and the travel, per km, per
    zone or flat per trip (the rate card's travel mode); the kilometres are the
    vehicle's odometer, else the worksheet's ``travel_km``. Their cost is the
    kilometres at the vehicle's cost per km (the company's default without a vehicle).
    Remote sessions and lab jobs have neither."""

    _inherit = "aftersales.intervention"

    def _prepare_charge_vals_list(self):
        vals_list = super()._prepare_charge_vals_list()
        if self.intervention_type in ON_SITE_TYPES:
            vals_list.extend(self._prepare_callout_charge_vals_list())
            vals_list.extend(self._prepare_travel_charge_vals_list())
        return vals_list

    def _aftersales_km(self):
        self.ensure_one()
        return self.odometer_km or self.travel_km

    def _aftersales_km_cost(self):
        """The cost of the intervention's kilometres."""
        self.ensure_one()
        km = self._aftersales_km()
        if not km:
            return 0.0
        if self.vehicle_id:
            return self.vehicle_id.sudo()._aftersales_km_cost(km)
        company = self.company_id
        return company.currency_id.round(km * company.aftersales_vehicle_cost_per_km)

    def _prepare_callout_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        if not card.callout_fee:
            return []
        return [
            {
                "kind": "callout",
                "name": self.env._("Call-out fee"),
                "product_id": card.callout_product_id.id,
                "quantity": 1.0,
                "price_unit": card.callout_fee,
            }
        ]

    def _prepare_travel_charge_vals_list(self):
        """One travel line: km × price per km, one trip at its zone's price, or one
        flat trip. Without a rate card, the kilometres still make a line, for their cost."""
        self.ensure_one()
        card = self.rate_card_id
        km = self._aftersales_km()
        name = self.env._("Travel: %(km)s km", km="%g" % km)
        quantity, price = km, 0.0
        if card.travel_mode == "km":
            price = card.travel_km_price
        elif card.travel_mode == "zone" and km:
            zone = card._zone_for(km)
            quantity, price = 1.0, zone.price
            name = self.env._("Travel: zone %(zone)s (%(km)s km)", zone=zone.name, km="%g" % km)
        elif card.travel_mode == "flat" and card.travel_flat_price:
            quantity, price = 1.0, card.travel_flat_price
            name = self.env._("Travel: flat rate per trip")
        if not quantity:
            return []
        return [
            {
                "kind": "travel",
                "name": name,
                "product_id": card.travel_product_id.id,
                "quantity": quantity,
                "price_unit": price,
            }
        ]
