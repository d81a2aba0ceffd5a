from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .aftersales_input_guard import NAME_TEXT_LIMIT, check_text_limits


class AftersalesPriceIndex(models.Model):
    """A published price index (for example ISTAT FOI) used to adjust renewed contracts.

    A published index is the same for every company: without a company it is shared.
    An index of one company (a private index, a supplier's list) is seen and used by
    that company only."""

    _name = "aftersales.price.index"
    _description = "Price Index"
    _inherit = ["aftersales.field.policy"]
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the index with every company."
    )
    active = fields.Boolean(default=True)
    value_ids = fields.One2many("aftersales.price.index.value", "index_id", string="Values")
    note = fields.Text(translate=True)

    @api.constrains("name")
    def _check_name_length(self):
        """The contract prints the index's name."""
        check_text_limits(self, {"name": NAME_TEXT_LIMIT})

    def _value_at(self, day):
        """The latest value published for a period starting on or before ``day``."""
        self.ensure_one()
        value = self.env["aftersales.price.index.value"].search(
            [("index_id", "=", self.id), ("date", "<=", day)], order="date desc", limit=1
        )
        if not value:
            raise UserError(
                self.env._(
                    "Index %(index)s has no value for %(date)s or before.",
                    index=self.name,
                    date=format_date(self.env, day),
                )
            )
        return value
