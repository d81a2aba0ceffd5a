from odoo import api, models
from odoo.tools import float_round


class IrQwebFieldAftersales_Hours(models.AbstractModel):
    """``aftersales_hours`` converter: a number of working hours as a duration, "8 h" or
    "1,5 h" in the reader's language, never as a clock time ("08:00") that reads like a
    time of day. Working hours are not days: 40 h stays "40 h"."""

    _name = "ir.qweb.field.aftersales_hours"
    _description = "QWeb Field Working Hours"
    _inherit = ["ir.qweb.field"]

    @api.model
    def value_to_html(self, value, options):
        return self._format_hours(value or 0.0, self.user_lang())

    @api.model
    def _format_hours(self, hours, lang):
        """``hours`` in ``lang`` (a res.lang), with at most two decimals and none that
        are zero, then a no-break space and "h"."""
        hours = float_round(hours, precision_digits=2)
        text = "%.2f" % hours
        decimals = len(text.rstrip("0").split(".")[1])
        number = lang.format(f"%.{decimals}f", hours, grouping=True)
        return f"{number}\N{NO-BREAK SPACE}h"
