from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain


class AftersalesContract(models.Model):
    """Preventive visits: each contract line with N visits a year gets N preventive
    interventions in the contract year, as drafts with planned dates spread evenly over
    the year and moved to working days. Activating a contract (a renewal too) generates
    its term's visits; a cron generates the next year of multi-year contracts; closing
    or cancelling a contract cancels its future visits that have not started. Running it
    twice creates nothing: the existing visits are skipped, and a unique index on
    (line, contract year, visit number) refuses a second copy."""

    _inherit = "aftersales.contract"

    preventive_intervention_ids = fields.One2many(
        "aftersales.intervention",
        "preventive_contract_id",
        string="Preventive Visits",
        groups="aftersales.group_aftersales_user",
    )
    preventive_due = fields.Integer(
        string="Preventive Visits Due",
        compute="_compute_preventive_progress",
        groups="aftersales.group_aftersales_user",
        help="Preventive visits of the current contract year.",
    )
    preventive_done = fields.Integer(
        string="Preventive Visits Done",
        compute="_compute_preventive_progress",
        groups="aftersales.group_aftersales_user",
    )

    def _compute_preventive_progress(self):
        today = fields.Date.context_today(self)
        groups = self.env["aftersales.intervention"]._read_group(
            [("preventive_contract_id", "in", self.ids), ("state", "!=", "cancel")],
            ["preventive_contract_id", "preventive_year_start:day", "state"],
            ["__count"],
        )
        counts = {}
        for contract, year_start, state, count in groups:
            key = (contract, year_start)
            due, done = counts.get(key, (0, 0))
            counts[key] = (due + count, done + (count if state == "done" else 0))
        for contract in self:
            year_start, _year_end = contract._preventive_year(today)
            contract.preventive_due, contract.preventive_done = counts.get(
                (contract, year_start), (0, 0)
            )

    # ------------------------------------------------------------------
    # Contract years and visit dates
    # ------------------------------------------------------------------
    def _preventive_year(self, day):
        """(start, end) of the contract year containing ``day`` (the first year before
        the contract starts), or (False, False) when the contract has ended by then."""
        self.ensure_one()
        start = self.date_start
        if day > start:
            years = relativedelta(day, start).years
            start = start + relativedelta(years=years)
        end = start + relativedelta(years=1, days=-1)
        if self.date_end:
            if start > self.date_end:
                return False, False
            end = min(end, self.date_end)
        return start, end

    @api.model
    def _preventive_dates(self, year_start, year_end, count):
        """``count`` days spread evenly over the year: the middle of equal slices."""
        days = (year_end - year_start).days + 1
        return [year_start + timedelta(days=int((k + 0.5) * days / count)) for k in range(count)]

    @api.model
    def _working_slots(self, calendar, date_from, date_to):
        """{date: (start, end)} of the first work interval of each working day of the
        calendar (public holidays removed), as naive UTC datetimes."""
        tz = pytz.timezone(calendar.tz or "UTC")
        start = tz.localize(datetime.combine(date_from, time.min))
        stop = tz.localize(datetime.combine(date_to + timedelta(days=1), time.min))
        intervals = calendar._work_intervals_batch(start, stop, tz=tz)[False]
        slots = {}
        for begin, end, _recs in intervals:
            day = begin.astimezone(tz).date()
            if day not in slots:
                slots[day] = (
                    begin.astimezone(pytz.utc).replace(tzinfo=None),
                    end.astimezone(pytz.utc).replace(tzinfo=None),
                )
        return slots

    @api.model
    def _move_to_working_day(self, day, slots, year_start, year_end):
        """The first working day from ``day`` in the year, else the last one before."""
        for offset in range(15):
            candidate = day + timedelta(days=offset)
            if candidate > year_end:
                break
            if candidate in slots:
                return candidate
        for offset in range(1, 15):
            candidate = day - timedelta(days=offset)
            if candidate < year_start:
                break
            if candidate in slots:
                return candidate
        return None

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    def _generate_preventive_visits(self, day=None):
        """Create the missing preventive visits of the contract year containing ``day``
        (today by default) of these contracts, in one batch; returns them."""
        day = day or fields.Date.context_today(self)
        return self._create_preventive_visits({contract: day for contract in self})

    def _create_preventive_visits(self, days):
        """Create the missing preventive visits of these contracts, each of the contract
        year containing its day in ``days`` ({contract: day}), in one batch; returns
        them."""
        Intervention = self.env["aftersales.intervention"]
        contracts = self.filtered(lambda c: c.state == "active")
        lines = contracts.line_ids.filtered(lambda line: line.preventive_visits > 0)
        if not lines:
            return Intervention
        years = {contract: contract._preventive_year(days[contract]) for contract in contracts}
        existing = set(
            Intervention.search_fetch(
                [("preventive_line_id", "in", lines.ids), ("state", "!=", "cancel")],
                ["preventive_line_id", "preventive_year_start", "preventive_index"],
            ).mapped(
                lambda i: (i.preventive_line_id.id, i.preventive_year_start, i.preventive_index)
            )
        )
        slots = self._preventive_slots(contracts, years)
        lines.contract_id.partner_id.mapped("child_ids")  # prefetch the sites at once
        vals_list = []
        for line in lines:
            contract = line.contract_id
            year_start, year_end = years[contract]
            if not year_start:
                continue
            contract_slots = slots[contract.company_id]
            dates = self._preventive_dates(year_start, year_end, line.preventive_visits)
            for index, visit_day in enumerate(dates, start=1):
                if (line.id, year_start, index) in existing:
                    continue
                working_day = self._move_to_working_day(
                    visit_day, contract_slots, year_start, year_end
                )
                slot = contract_slots.get(working_day) or (
                    datetime.combine(visit_day, time(8)),
                    datetime.combine(visit_day, time(10)),
                )
                vals_list.append(
                    line._prepare_preventive_intervention_vals(year_start, index, slot)
                )
        if not vals_list:
            return Intervention
        return Intervention.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(vals_list)

    def _preventive_slots(self, contracts, years):
        """Working slots per company, on its calendar, over all the years at once."""
        slots = {}
        for company in contracts.company_id:
            company_years = [years[c] for c in contracts if c.company_id == company and years[c][0]]
            calendar = company.resource_calendar_id
            if not company_years or not calendar:
                slots[company] = {}
                continue
            slots[company] = self._working_slots(
                calendar,
                min(start for start, _end in company_years),
                max(end for _start, end in company_years),
            )
        return slots

    def action_generate_preventive_visits(self):
        visits = self._generate_preventive_visits()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preventive Visits"),
            "res_model": "aftersales.intervention",
            "view_mode": "list,calendar,form",
            "domain": [("preventive_contract_id", "in", self.ids)],
            "context": {"search_default_group_date": 1} if visits else {},
        }

    def action_view_preventive_visits(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preventive Visits"),
            "res_model": "aftersales.intervention",
            "view_mode": "list,calendar,form",
            "domain": [("preventive_contract_id", "=", self.id)],
            "context": {"default_preventive_contract_id": self.id},
        }

    @api.model
    def _cron_generate_preventive_visits(self, batch_size=200):
        """Generate the visits of the current contract year of every active contract
        with preventive visits, in batches, in the loop of ``aftersales.cron.mixin``. A
        rerun skips what exists."""
        today = fields.Date.context_today(self)
        domain = Domain("state", "=", "active") & Domain("line_ids.preventive_visits", ">", 0)

        def generate(contracts):
            contracts._generate_preventive_visits(today)
            return len(contracts), {}

        self._cron_in_batches(
            # in the order of their ids, past the last one seen
            find=lambda seen: self._cron_find(
                domain & Domain("id", ">", max(seen, default=0)), batch_size, order="id"
            ),
            # nothing to lock: the unique index refuses a second copy of a visit
            lock=lambda contracts: contracts,
            work=generate,
            once=True,
        )

    # ------------------------------------------------------------------
    # Activation, closing and cancelling
    # ------------------------------------------------------------------
    def _on_activated(self):
        res = super()._on_activated()
        # a renewal generates its own term: its first year, whenever it starts; all the
        # contracts activated at once in one batch (the cron goes in batches)
        today = fields.Date.context_today(self)
        self._create_preventive_visits({c: max(c.date_start, today) for c in self})
        return res

    def action_close(self):
        res = super().action_close()
        self._cancel_future_preventive_visits()
        return res

    def action_cancel(self):
        res = super().action_cancel()
        self._cancel_future_preventive_visits()
        return res

    def _cancel_future_preventive_visits(self):
        visits = self.env["aftersales.intervention"].search(
            [
                ("preventive_contract_id", "in", self.ids),
                ("state", "in", ("draft", "planned")),
                "|",
                ("date_planned_start", "=", False),
                ("date_planned_start", ">=", fields.Datetime.now()),
            ]
        )
        visits.action_cancel()
        return visits
