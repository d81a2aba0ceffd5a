from collections import defaultdict

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

COVERAGE_KINDS = [
    ("contract", "Contract"),
    ("warranty", "Warranty"),
    ("hour_bank", "Hour Bank"),
    ("billable", "Billable"),
]
# Default priority from the covering line's response time (working hours).
PRIORITY_BY_RESPONSE = [(4.0, "3"), (8.0, "2"), (24.0, "1")]


class AftersalesTicket(models.Model):
    """Coverage: what pays for a call, looked up in one place for every channel.

    Order: the active contract line covering the serial (or the product) for the
    customer on the day of the call, then the serial's warranty, then an hour bank,
    otherwise billable. The look-up runs for a whole batch of tickets in three
    queries at most, whatever the batch size.
    """

    _inherit = "aftersales.ticket"

    contract_line_id = fields.Many2one(
        "aftersales.contract.line",
        compute="_compute_coverage",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
    )
    # no check_company: _check_contract_customer checks the customer and the company
    contract_id = fields.Many2one(
        "aftersales.contract",
        compute="_compute_coverage",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
    )
    coverage_auto = fields.Selection(
        COVERAGE_KINDS,
        string="Coverage Found",
        compute="_compute_coverage",
        store=True,
        precompute=True,
        help="What the automatic look-up found, before any manager override.",
    )
    coverage_override = fields.Selection(
        COVERAGE_KINDS,
        tracking=True,
        copy=False,
        groups="aftersales.group_aftersales_manager",
        help="Set by a manager to replace the coverage found automatically.",
    )
    coverage_kind = fields.Selection(
        COVERAGE_KINDS,
        string="Coverage",
        compute="_compute_coverage_kind",
        store=True,
        precompute=True,
        index=True,
        tracking=True,
    )
    is_coverage_overridden = fields.Boolean(
        string="Overridden", compute="_compute_coverage_kind", store=True, precompute=True
    )
    warranty_end = fields.Date(related="lot_id.aftersales_warranty_end", string="Warranty Until")
    coverage_note = fields.Char(string="Why", compute="_compute_coverage_note")
    lot_criticality = fields.Selection(related="lot_id.aftersales_criticality")

    @api.depends("partner_id", "lot_id", "product_id", "date_open")
    def _compute_coverage(self):
        found = self._coverage_lookup()
        for ticket in self:
            kind, line, contract = found.get(ticket, ("billable", False, False))
            ticket.coverage_auto = kind
            ticket.contract_line_id = line
            ticket.contract_id = contract

    @api.depends("coverage_auto", "coverage_override")
    def _compute_coverage_kind(self):
        for ticket in self:
            override = ticket.sudo().coverage_override  # sudo: field restricted to managers
            ticket.coverage_kind = override or ticket.coverage_auto or "billable"
            ticket.is_coverage_overridden = bool(override)

    @api.depends("contract_line_id.response_hours", "lot_id.aftersales_criticality")
    def _compute_priority(self):
        for ticket in self:
            priority = "0"
            hours = ticket.contract_line_id.response_hours
            if ticket.contract_line_id and hours:
                priority = next((p for limit, p in PRIORITY_BY_RESPONSE if hours <= limit), "0")
            ticket.priority = max(priority, ticket.lot_id.aftersales_criticality or "0")

    def _coverage_tz(self):
        """The time zone the call's day is counted in: the team's working hours, else
        the company's. Never the caller's: e-mail, the portal and crons run in UTC."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return (
            self.team_id.resource_calendar_id.tz
            or company.partner_id.tz
            or company.resource_calendar_id.tz
            or "UTC"
        )

    def _coverage_day(self):
        self.ensure_one()
        moment = self.date_open or fields.Datetime.now()
        return utc.localize(moment).astimezone(timezone(self._coverage_tz())).date()

    def _coverage_lookup(self):
        """{ticket: (kind, contract line, contract)} for the tickets of self.

        One search per step for the whole batch; the lines found are then dispatched
        to the tickets through dictionaries, so the work stays linear in the batch size.
        """
        tickets = self.filtered("commercial_partner_id")
        keys = {t: (t.commercial_partner_id, t._coverage_day()) for t in tickets}
        result = {}
        self._coverage_by_lines(keys, result, "lot")
        self._coverage_by_lines(keys, result, "product")
        for ticket in tickets:
            if ticket not in result and ticket._is_under_warranty(keys[ticket][1]):
                result[ticket] = ("warranty", False, False)
        rest = {t: keys[t] for t in tickets if t not in result}
        Contract = self.env["aftersales.contract"]
        by_day = defaultdict(lambda: self.env["res.partner"])
        for partner, day in rest.values():
            by_day[day] |= partner
        domains = [Contract._hour_bank_domain(partners, day) for day, partners in by_day.items()]
        banks = self._coverage_search(Contract, domains)
        banks_by_partner = defaultdict(list)
        for bank in banks:
            banks_by_partner[bank.commercial_partner_id].append(bank)
        for ticket, (partner, day) in rest.items():
            bank = next(
                (
                    c
                    for c in banks_by_partner[partner]
                    if c.date_start <= day and (not c.date_end or c.date_end >= day)
                ),
                False,
            )
            result[ticket] = ("hour_bank", False, bank) if bank else ("billable", False, False)
        return result

    def _coverage_by_lines(self, keys, result, by):
        """Contract lines covering the serial (``by="lot"``) or the product of tickets
        not covered yet; fills ``result``."""
        Line = self.env["aftersales.contract.line"]
        field, comodel = (
            ("lot_id", "stock.lot") if by == "lot" else ("product_id", "product.product")
        )
        wanted = {t: (*keys[t], t[field]) for t in keys if t not in result and t[field]}
        single = len(set(wanted.values())) == 1
        if single:
            # one call (the web client): exactly the contracts' own covering domain
            partner, day, target = next(iter(wanted.values()))
            domains = [Line._covering_domain(partner, day, **{by: target})]
        else:
            by_day = defaultdict(lambda: (self.env["res.partner"], self.env[comodel]))
            for partner, day, target in wanted.values():
                partners, targets = by_day[day]
                by_day[day] = (partners | partner, targets | target)
            domains = [
                Line._covering_domain_batch(partners, day, **{f"{by}s": targets})
                for day, (partners, targets) in by_day.items()
            ]
        candidates = defaultdict(list)
        for line in self._coverage_search(Line, domains):
            target = line.lot_id if by == "lot" else line.equipment_product_id
            candidates[line.partner_id, target].append(line)
        for ticket, (partner, day, target) in wanted.items():
            found = candidates[partner, target]
            if not single:  # the batch domain is a superset: check each line exactly
                found = [line for line in found if line._covers(partner, day, **{by: target})]
            if found:
                result[ticket] = ("contract", found[0], found[0].contract_id)

    @api.model
    def _coverage_search(self, model, domains):
        if not domains:
            return model
        return model.search(Domain.OR(domains))

    def _is_under_warranty(self, day):
        self.ensure_one()
        lot = self.lot_id
        owner = lot.aftersales_customer_id.commercial_partner_id
        return bool(
            lot.aftersales_warranty_end
            and lot.aftersales_warranty_end >= day
            and (not owner or owner == self.commercial_partner_id)
        )

    @api.depends("coverage_kind", "contract_line_id", "contract_id", "warranty_end")
    def _compute_coverage_note(self):
        for ticket in self:
            ticket.coverage_note = ticket._coverage_explanation()

    def _coverage_explanation(self):
        self.ensure_one()
        kind = self.coverage_kind
        if kind == "contract" and self.contract_line_id:
            note = self.env._(
                "Contract %(contract)s, line %(line)s: response %(response)s h, "
                "resolution %(resolution)s h.",
                contract=self.contract_id.name,
                line=(self.contract_line_id.name or "").split("\n")[0],
                response="%g" % self.contract_line_id.response_hours,
                resolution="%g" % self.contract_line_id.resolution_hours,
            )
        elif kind == "warranty" and self.warranty_end:
            note = self.env._(
                "Serial %(lot)s is under warranty until %(date)s.",
                lot=self.lot_id.name,
                date=fields.Date.to_string(self.warranty_end),
            )
        elif kind == "hour_bank" and self.contract_id:
            note = self.env._(
                "Hour bank %(contract)s: %(hours)s h left.",
                contract=self.contract_id.name,
                hours="%g" % self.contract_id.hour_bank_remaining,
            )
        elif self.warranty_end:
            note = self.env._(
                "No contract or hour bank; the warranty ended on %(date)s.",
                date=fields.Date.to_string(self.warranty_end),
            )
        else:
            note = self.env._("No contract, warranty or hour bank covers this call.")
        if self.is_coverage_overridden:
            note = self.env._("Set by a manager. %(note)s", note=note)
        return note

    @api.constrains("contract_id", "partner_id", "company_id")
    def _check_contract_customer(self):
        for ticket in self.filtered("contract_id"):
            line = ticket.contract_line_id
            if line and line.contract_id == ticket.contract_id:
                # the line stores the contract's customer and company: no need to read it
                partner, company = line.partner_id, line.company_id
            else:
                partner = ticket.contract_id.commercial_partner_id
                company = ticket.contract_id.company_id
            if partner != ticket.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s belongs to another customer than %(customer)s.",
                        contract=ticket.contract_id.name,
                        customer=ticket.commercial_partner_id.display_name,
                    )
                )
            if company != ticket.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s belongs to company %(company)s.",
                        contract=ticket.contract_id.name,
                        company=company.name,
                    )
                )
