"""Numbers for a batch of records, drawn at once.

``ir.sequence.next_by_code`` and ``next_by_id`` draw one number per call, with a query to
find the sequence, one to find its date range and one to draw the number. The add-on
numbers its records in batches (a contract's preventive visits, the delivery notes of a
validation, the tickets of an import), so these draw all the numbers a batch needs with
one query per sequence and date range: a standard sequence's PostgreSQL sequence gives
them in one ``nextval`` over a series, a no-gap one moves its counter by all of them in
one ``UPDATE``. The numbers and their format are those that drawing them one at a time,
in the same order, would give.
"""

from odoo import api, fields, models
from odoo.tools import SQL

# What drawing and formatting a number reads of its sequence
NUMBER_FIELDS = [
    "implementation",
    "use_date_range",
    "number_increment",
    "prefix",
    "suffix",
    "padding",
]


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model
    def _aftersales_next_by_code(self, code, requests):
        """``next_by_code(code, sequence_date)`` for a batch: the next number of the
        ``code`` sequence of each ``(company, sequence date or False)`` of ``requests``,
        in their order (no company: the current one). A company without such a sequence
        (of its own, or shared) gets False."""
        requests = [(company or self.env.company, day) for company, day in requests]
        companies = {company.id for company, _day in requests}
        sequences = self.search_fetch(
            [("code", "=", code), ("company_id", "in", [*companies, False])],
            ["company_id", *NUMBER_FIELDS],
            order="company_id, id",
        )
        first = {}
        for sequence in sequences:
            first.setdefault(sequence.company_id.id, sequence)
        numbers = [False] * len(requests)
        todo = {}  # {sequence: [index of the request]}
        for index, (company, _day) in enumerate(requests):
            sequence = first.get(company.id) or first.get(False)
            if sequence:
                todo.setdefault(sequence, []).append(index)
        for sequence, indexes in todo.items():
            drawn = sequence._aftersales_next_numbers([requests[i][1] for i in indexes])
            for index, number in zip(indexes, drawn, strict=True):
                numbers[index] = number
        return numbers

    def _aftersales_next_numbers(self, dates):
        """``_next(sequence_date=day)`` of this sequence for each day of ``dates`` in
        turn (False: today, as ``_next`` takes it), with one query per date range."""
        self.ensure_one()
        if not dates:
            return []
        if not self.use_date_range:
            return [self.get_next_char(number) for number in self._aftersales_draw(len(dates))]
        default = self.env.context.get("ir_sequence_date", fields.Date.today())
        days = [fields.Date.to_date(day or default) for day in dates]
        # one day (a validation's delivery notes, a call's intervention): find its range
        # and draw in one query; else one query for the ranges, one draw per range
        drawn = self._aftersales_draw_in_range(days) if len(set(days)) == 1 else None
        if drawn:
            date_from, raw = drawn
            return [
                self.with_context(
                    ir_sequence_date_range=date_from, ir_sequence_date=day
                ).get_next_char(number)
                for day, number in zip(days, raw, strict=True)
            ]
        ranges = self._aftersales_date_ranges(days)
        numbers = [None] * len(days)
        by_range = {}
        for index, day in enumerate(days):
            by_range.setdefault(ranges[day], []).append(index)
        for date_range, indexes in by_range.items():
            drawn = self._aftersales_draw(len(indexes), date_range)
            for index, number in zip(indexes, drawn, strict=True):
                numbers[index] = self.with_context(
                    ir_sequence_date_range=date_range.date_from, ir_sequence_date=days[index]
                ).get_next_char(number)
        return numbers

    def _aftersales_draw_in_range(self, days):
        """The common case in one query: the existing date range holding all ``days``
        found and drawn from at once. Then (its first day, the raw numbers in order), as
        ``_aftersales_draw`` draws them; else None (no such range yet), nothing drawn."""
        self.ensure_one()
        count, first_day, last_day = len(days), min(days), max(days)
        Range = self.env["ir.sequence.date_range"]
        # the range ``_next`` would find for each day: the first by id holding it
        holding = SQL(
            "SELECT id FROM ir_sequence_date_range WHERE sequence_id = %s"
            " AND date_from <= %s AND date_to >= %s ORDER BY id LIMIT 1",
            self.id,
            first_day,
            last_day,
        )
        if self.implementation == "standard":
            # the PostgreSQL sequence of the range, named as ``ir.sequence.date_range``
            # names it (``ir_sequence_%03d_%03d``)
            self.env.cr.execute(
                SQL(
                    "SELECT r.date_from, nextval(format('ir_sequence_%%s_%%s',"
                    " lpad(%(seq)s::text, greatest(3, length(%(seq)s::text)), '0'),"
                    " lpad(r.id::text, greatest(3, length(r.id::text)), '0'))::regclass)"
                    " FROM ir_sequence_date_range r, generate_series(1, %(count)s)"
                    " WHERE r.id = (%(holding)s)",
                    seq=self.id,
                    count=count,
                    holding=holding,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                return None
            return rows[0][0], sorted(number for _day, number in rows)
        step = self.number_increment
        Range.flush_model(["number_next"])
        self.env.cr.execute(
            SQL(
                "UPDATE ir_sequence_date_range SET number_next = number_next + %(total)s"
                " WHERE id = (SELECT id FROM ir_sequence_date_range WHERE id = (%(holding)s)"
                " FOR UPDATE NOWAIT) RETURNING id, date_from, number_next - %(total)s",
                total=step * count,
                holding=holding,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        range_id, date_from, first = row
        Range.browse(range_id).invalidate_recordset(["number_next"])
        return date_from, [first + step * k for k in range(count)]

    def _aftersales_date_ranges(self, days):
        """{day: the date range of this sequence holding it}, the missing ones created as
        ``_next`` creates them."""
        self.ensure_one()
        found = self.env["ir.sequence.date_range"].search_fetch(
            [
                ("sequence_id", "=", self.id),
                ("date_from", "<=", max(days)),
                ("date_to", ">=", min(days)),
            ],
            ["date_from", "date_to"],
            order="id",
        )
        ranges = {}
        for day in sorted(set(days)):
            date_range = next(
                (r for r in found if r.date_from <= day <= r.date_to), None
            ) or self._create_date_range_seq(day)
            found |= date_range
            ranges[day] = date_range
        return ranges

    def _aftersales_draw(self, count, date_range=None):
        """The next ``count`` raw numbers of this sequence, or of its ``date_range``, in
        the order one call at a time would draw them, in one query."""
        self.ensure_one()
        counter = date_range or self
        if self.implementation == "standard":
            name = f"ir_sequence_{self.id:03d}" + (f"_{date_range.id:03d}" if date_range else "")
            self.env.cr.execute(
                SQL("SELECT nextval(%s) FROM generate_series(1, %s) AS i ORDER BY i", name, count)
            )
            return [number for (number,) in self.env.cr.fetchall()]
        # no gap: move the counter past them all, failing at once when another
        # transaction is drawing from it (as ``_next`` does)
        step = self.number_increment
        counter.flush_recordset(["number_next"])
        self.env.cr.execute(
            SQL(
                "UPDATE %(table)s SET number_next = number_next + %(total)s"
                " WHERE id = (SELECT id FROM %(table)s WHERE id = %(id)s FOR UPDATE NOWAIT)"
                " RETURNING number_next - %(total)s",
                table=SQL.identifier(counter._table),
                total=step * count,
                id=counter.id,
            )
        )
        (first,) = self.env.cr.fetchone()
        counter.invalidate_recordset(["number_next"])
        return [first + step * k for k in range(count)]
