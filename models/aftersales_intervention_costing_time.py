from collections import defaultdict

from odoo import models

from .aftersales_intervention_charge import LABOUR_KINDS


class AftersalesIntervention(models.Model):
    """Charges of the time worked: labour and travel time per kind of hours (normal,
    overtime, holiday), and the per diem, from the intervention's timesheet lines.

    The rate card's minimum billable time and rounding apply once per call and per
    line: the hours of one kind (of work, or of travel) of every technician and every
    day of the intervention are summed, then billed as ``_labour_amount`` says (at
    least the minimum, rounded up to the unit). Two technicians working an hour each
    bill two hours, not two minimums."""

    _inherit = "aftersales.intervention"

    def _prepare_charge_vals_list(self):
        vals_list = super()._prepare_charge_vals_list()
        vals_list.extend(self._prepare_time_charge_vals_list())
        vals_list.extend(self._prepare_per_diem_charge_vals_list())
        return vals_list

    def _timesheet_hours(self):
        """{(time type, hour kind): hours} of this intervention's timesheet lines."""
        self.ensure_one()
        hours = defaultdict(float)
        for line in self.sudo().timesheet_ids:
            if line.aftersales_time_type:
                key = (line.aftersales_time_type, line.aftersales_hour_kind or "normal")
                hours[key] += line.unit_amount
        return hours

    def _prepare_time_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        kind_labels = dict(LABOUR_KINDS)
        hours_by_key = self._timesheet_hours()
        vals_list = []
        for time_type in ("travel", "work"):
            for hour_kind, __ in LABOUR_KINDS:
                hours = hours_by_key.get((time_type, hour_kind))
                if not hours:
                    continue
                travel = time_type == "travel"
                if card:
                    quantity = card._billable_hours(hours)
                    price = card._labour_rate(hour_kind, travel)
                    product = card._labour_product(hour_kind, travel)
                else:  # no rate card: the hours and their cost, nothing to bill
                    quantity, price, product = hours, 0.0, self.env["product.product"]
                label = (
                    self.env._("Travel time (%s)", kind_labels[hour_kind])
                    if travel
                    else self.env._("Labour (%s)", kind_labels[hour_kind])
                )
                vals_list.append(
                    {
                        "kind": "travel_time" if travel else "labour",
                        "labour_kind": hour_kind,
                        "name": label,
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        "worked_hours": hours,
                    }
                )
        return vals_list

    def _per_diem_count(self, card):
        """Days earning a per diem: the worksheet's per diem days when entered, else each
        technician's day away (work and travel hours) long enough for the rate card."""
        self.ensure_one()
        if self.per_diem_days:
            return self.per_diem_days
        if not card.per_diem_min_hours or card.per_diem_overnight_only:
            return 0.0
        days = defaultdict(float)
        for line in self.sudo().timesheet_ids:
            if line.aftersales_time_type:
                days[line.employee_id, line.date] += line.unit_amount
        return card._per_diem_days([(hours, False) for hours in days.values()])

    def _prepare_per_diem_charge_vals_list(self):
        self.ensure_one()
        card = self.rate_card_id
        if not card or not card.per_diem_price:
            return []
        count = self._per_diem_count(card)
        if not count:
            return []
        return [
            {
                "kind": "per_diem",
                "name": self.env._("Per diem"),
                "product_id": card.per_diem_product_id.id,
                "quantity": count,
                "price_unit": card.per_diem_price,
            }
        ]
