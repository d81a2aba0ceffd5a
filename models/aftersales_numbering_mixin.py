from odoo import models


class AftersalesNumberingMixin(models.AbstractModel):
    """Records numbered from their company's sequence once created, a batch at a time.

    A model declares its sequence's code in ``_sequence_code`` and, when the number
    depends on a date (a yearly range), returns it from ``_sequence_date``. Its
    ``create`` calls ``_assign_numbers`` on the new records still named ``/``: numbered
    once created, a record refused by a check uses no number up (a rollback does not give
    a sequence's numbers back)."""

    _name = "aftersales.numbering.mixin"
    _description = "After-Sales Numbering"

    _sequence_code = None

    def _sequence_date(self):
        """The day whose date range numbers this record; False: today."""
        self.ensure_one()
        return False

    def _assign_numbers(self):
        """Number ``self`` in its order, as ``next_by_code`` would one record at a time,
        with one query per sequence and date range."""
        # sudo: whoever may create the record numbers it, the number being a system field
        records = self.sudo()
        numbers = (
            self.env["ir.sequence"]
            .sudo()
            ._aftersales_next_by_code(
                self._sequence_code,
                [(record.company_id, record._sequence_date()) for record in records],
            )
        )
        for record, number in zip(records, numbers, strict=True):
            record.name = number or "/"
