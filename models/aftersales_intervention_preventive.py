from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesIntervention(models.Model):
    """A preventive visit knows its contract line, contract year and number in the year
    (see ``aftersales_contract_preventive.py``)."""

    _inherit = "aftersales.intervention"

    preventive_line_id = fields.Many2one(
        "aftersales.contract.line",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )
    preventive_contract_id = fields.Many2one(
        related="preventive_line_id.contract_id",
        string="Preventive Contract",
        store=True,
        index="btree_not_null",
    )
    preventive_year_start = fields.Date(
        string="Contract Year", readonly=True, copy=False, help="Start of the contract year."
    )
    preventive_index = fields.Integer(string="Visit Number", readonly=True, copy=False)

    # Generating twice, or concurrently, never makes a second copy of a visit.
    _preventive_unique = models.UniqueIndex(
        "(preventive_line_id, preventive_year_start, preventive_index)"
        " WHERE (preventive_line_id IS NOT NULL AND state != 'cancel')",
        "This preventive visit of the contract year exists already.",
    )

    @api.model
    def _assign_numbers_batch(self, vals_list):
        """Number many interventions as ``next_by_code`` would, with one query for all
        the numbers of a standard sequence."""
        todo = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        if not todo:
            return
        by_company = {}
        for vals in todo:
            by_company.setdefault(vals.get("company_id") or self.env.company.id, []).append(vals)
        Sequence = self.env["ir.sequence"].sudo()
        for company_id, company_vals in by_company.items():
            sequence = Sequence.search(
                [
                    ("code", "=", "aftersales.intervention"),
                    ("company_id", "in", [company_id, False]),
                ],
                order="company_id",
                limit=1,
            )
            if not sequence:
                continue
            if sequence.implementation != "standard":
                for vals in company_vals:
                    vals["name"] = sequence._next()
                continue
            seq_name = f"ir_sequence_{sequence.id:03d}"
            formatter = sequence
            if sequence.use_date_range:
                today = fields.Date.context_today(self)
                date_range = self.env["ir.sequence.date_range"].sudo().search(
                    [
                        ("sequence_id", "=", sequence.id),
                        ("date_from", "<=", today),
                        ("date_to", ">=", today),
                    ],
                    limit=1,
                ) or sequence._create_date_range_seq(today)
                seq_name = f"ir_sequence_{sequence.id:03d}_{date_range.id:03d}"
                formatter = sequence.with_context(
                    ir_sequence_date_range=date_range.date_from, ir_sequence_date=today
                )
            self.env.cr.execute(
                SQL("SELECT nextval(%s) FROM generate_series(1, %s)", seq_name, len(company_vals))
            )
            for vals, (number,) in zip(company_vals, self.env.cr.fetchall(), strict=True):
                vals["name"] = formatter.get_next_char(number)
