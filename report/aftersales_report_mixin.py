from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists


class AftersalesReportMixin(models.AbstractModel):
    """What the After-Sales reporting views share.

    * ``init()`` (re)creates the SQL view from ``_view_query()``.
    * The queries of a report run without JIT compilation and with 32 MB to sort
      (``SET LOCAL``, until the end of the request): the views' row estimates (a
      ``generate_series`` per row counts as 1,000 rows) make PostgreSQL spend seconds
      compiling a query that runs in a fraction of that, and the default 4 MB make the
      aggregates and sorts of 100,000 rows spill to disk.
    * Percentages are ratios of sums at every level of a pivot, never averages of
      per-row percentages: a field named in ``_report_ratios`` ({field: (numerator,
      denominator)}) aggregates as ``100 * SUM(numerator) / SUM(denominator)``.
    """

    _name = "aftersales.report.mixin"
    _description = "After-Sales Report"

    _report_ratios = {}

    @api.model
    def _view_query(self):
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._view_query()
            )
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        self.env.cr.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'")
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    def _read_group_select(self, aggregate_spec, query):
        fname, _sep, func = aggregate_spec.partition(":")
        if fname in self._report_ratios and func in ("sum", "avg"):
            numerator, denominator = self._report_ratios[fname]
            return SQL(
                "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)
