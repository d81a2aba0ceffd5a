from odoo import models
from odoo.tools import SQL


class AftersalesReportRatio(models.AbstractModel):
    """Ratios that stay right when grouped.

    A percentage or a "per machine-year" figure is a ratio of two sums: averaging the
    rows' own ratios would weigh a 10 € intervention like a 10,000 € one. A report lists
    in ``_ratio_fields`` each ratio field as ``(numerator, denominator, factor)``; every
    group then computes ``factor * SUM(numerator) / SUM(denominator)`` whatever
    aggregate the client asks for, so a pivot cell, its total and the list agree."""

    _name = "aftersales.report.ratio"
    _description = "After-Sales Report Ratios"

    _ratio_fields = {}

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in self._ratio_fields:
            numerator, denominator, factor = self._ratio_fields[fname]
            return SQL(
                "%s * SUM(%s) / NULLIF(SUM(%s), 0)",
                factor,
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)
