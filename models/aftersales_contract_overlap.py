from odoo import models


class AftersalesContract(models.Model):
    """A serial is covered by one active contract at a time, also when a contract's
    dates or state change (the lines' own constraint only sees the lines' fields). The
    database refuses the rest (``aftersales.contract.line._lot_covered_once``)."""

    _inherit = "aftersales.contract"

    def write(self, vals):
        res = super().write(vals)
        if {"date_start", "date_end", "state"} & set(vals):
            self.filtered(lambda c: c.state == "active").line_ids._check_lot_not_covered_twice()
        return res
