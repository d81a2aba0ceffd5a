from odoo import models
from odoo.fields import Command


class AftersalesContractLine(models.Model):
    """The values of a contract line's preventive visit (see
    ``aftersales_contract_preventive.py``)."""

    _inherit = "aftersales.contract.line"

    def _prepare_preventive_intervention_vals(self, year_start, index, slot):
        self.ensure_one()
        contract = self.contract_id
        partner = contract.partner_id
        what = self.lot_id.name or self.equipment_product_id.display_name or contract.name
        return {
            "summary": self.env._(
                "Preventive visit %(index)s/%(count)s - %(what)s",
                index=index,
                count=self.preventive_visits,
                what=what,
            ),
            "intervention_type": "preventive",
            "company_id": contract.company_id.id,
            "partner_id": partner.id,
            "site_partner_id": partner.address_get(["delivery"])["delivery"],
            "lot_id": self.lot_id.id,
            "lot_ids": [Command.set(self.lot_id.ids)],
            "product_id": self.equipment_product_id.id,
            "contract_id": contract.id,
            "contract_line_id": self.id,
            "preventive_line_id": self.id,
            "preventive_year_start": year_start,
            "preventive_index": index,
            "date_planned_start": slot[0],
            "date_planned_end": slot[1],
            "user_id": contract.user_id.id,
        }
