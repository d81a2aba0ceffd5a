from collections import defaultdict

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .aftersales_field_policy import MANAGER_GROUP

COVERAGE_KINDS = [
    ("contract", "Contract"),
    ("warranty", "Warranty"),
    ("hour_bank", "Hour Bank"),
    ("billable", "Billable"),
]


class AftersalesCoverageMixin(models.AbstractModel):
    """Coverage: what pays for a call or a visit, decided in one place.

    Tickets and interventions inherit this mixin, so both find their coverage with the
    same code. Order: the active contract line covering the serial (or the product) for
    the customer on the day, then the serial's warranty, then an hour bank, otherwise
    billable; only the contracts of the record's own company cover it (a serial without
    company may be under contract with two companies). The look-up runs for a whole
    batch in three queries at most, whatever the batch size.

    The host model provides ``company_id``, ``partner_id``, ``commercial_partner_id``,
    ``lot_id``, ``product_id`` and ``_coverage_day()``, and lists in
    ``_coverage_date_field`` the field that dates the coverage.
    """

    _name = "aftersales.coverage.mixin"
    _description = "After-Sales Coverage"
    _coverage_date_field = "date_open"

    # the host models define these fields in full; declared here for the related fields
    company_id = fields.Many2one("res.company")
    partner_id = fields.Many2one("res.partner")
    commercial_partner_id = fields.Many2one("res.partner")
    lot_id = fields.Many2one("stock.lot")
    product_id = fields.Many2one("product.product")
    team_id = fields.Many2one("aftersales.team")

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
    can_override = fields.Boolean(
        string="May Change Coverage",
        compute="_compute_can_override",
        help="The current user may change the coverage (and a ticket's SLA) once recorded.",
    )

    @api.depends_context("uid")
    def _compute_can_override(self):
        self.can_override = self.env.user.has_group(MANAGER_GROUP)

    @api.depends(
        lambda self: ("company_id", "partner_id", "lot_id", "product_id", self._coverage_date_field)
    )
    def _compute_coverage(self):
        found = self._coverage_lookup()
        for record in self:
            kind, line, contract = found.get(record, ("billable", False, False))
            record.coverage_auto = kind
            record.contract_line_id = line
            record.contract_id = contract

    @api.depends("coverage_auto", "coverage_override")
    def _compute_coverage_kind(self):
        for record in self:
            override = record.sudo().coverage_override  # sudo: field restricted to managers
            record.coverage_kind = override or record.coverage_auto or "billable"
            record.is_coverage_overridden = bool(override)

    def _coverage_tz(self):
        """The time zone the day is counted in: the team's working hours, else the
        company's. Never the caller's: e-mail, the portal and crons run in UTC."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return (
            self.team_id.resource_calendar_id.tz
            or company.partner_id.tz
            or company.resource_calendar_id.tz
            or "UTC"
        )

    def _coverage_day(self):
        """The local day of ``_coverage_date_field`` (now when empty)."""
        self.ensure_one()
        moment = self[self._coverage_date_field] or fields.Datetime.now()
        return utc.localize(moment).astimezone(timezone(self._coverage_tz())).date()

    def _coverage_lookup(self):
        """{record: (kind, contract line, contract)} for the records of self.

        One search per step for the whole batch; the lines found are then dispatched
        to the records through dictionaries, so the work stays linear in the batch size.
        """
        records = self.filtered("commercial_partner_id")
        keys = {r: (r.commercial_partner_id, r._coverage_day()) for r in records}
        result = {}
        self._coverage_by_lines(keys, result, "lot")
        self._coverage_by_lines(keys, result, "product")
        for record in records:
            if record not in result and record._is_under_warranty(keys[record][1]):
                result[record] = ("warranty", False, False)
        rest = {r: keys[r] for r in records if r not in result}
        Contract = self.env["aftersales.contract"]
        by_day = defaultdict(lambda: self.env["res.partner"])
        for partner, day in rest.values():
            by_day[day] |= partner
        domains = [Contract._hour_bank_domain(partners, day) for day, partners in by_day.items()]
        banks = self._coverage_search(Contract, domains)
        banks_by_partner = defaultdict(list)
        for bank in banks:
            banks_by_partner[bank.commercial_partner_id, bank.company_id].append(bank)
        for record, (partner, day) in rest.items():
            bank = next(
                (
                    c
                    for c in banks_by_partner[partner, record._coverage_company()]
                    if c.date_start <= day and (not c.date_end or c.date_end >= day)
                ),
                False,
            )
            result[record] = ("hour_bank", False, bank) if bank else ("billable", False, False)
        return result

    def _coverage_by_lines(self, keys, result, by):
        """Contract lines covering the serial (``by="lot"``) or the product of records
        not covered yet; fills ``result``."""
        Line = self.env["aftersales.contract.line"]
        field, comodel = (
            ("lot_id", "stock.lot") if by == "lot" else ("product_id", "product.product")
        )
        wanted = {r: (*keys[r], r[field]) for r in keys if r not in result and r[field]}
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
            candidates[line.partner_id, target, line.company_id].append(line)
        for record, (partner, day, target) in wanted.items():
            # the batch domain is a superset (every customer with every serial): check
            # each line exactly; for a single record the domain is already exact
            found = [
                line
                for line in candidates[partner, target, record._coverage_company()]
                if line._covers(partner, day, **{by: target})
            ]
            if found:
                result[record] = ("contract", found[0], found[0].contract_id)

    def _coverage_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _coverage_search(self, model, domains):
        """The contracts (lines) of ``domains`` of the companies of these records."""
        if not domains:
            return model
        companies = self.env["res.company"].union(*(r._coverage_company() for r in self))
        return model.search(Domain.OR(domains) & Domain("company_id", "in", companies.ids))

    def _is_under_warranty(self, day):
        self.ensure_one()
        lot = self.lot_id
        owner = lot.aftersales_customer_id.commercial_partner_id
        return bool(
            lot.aftersales_warranty_end
            and lot.aftersales_warranty_end >= day
            and (not owner or owner == self.commercial_partner_id)
        )

    # ------------------------------------------------------------------
    # Who pays a charge: the split of each kind of charge, in one place
    # ------------------------------------------------------------------
    # Which term of a contract line (and which warranty flag of the serial's product)
    # covers a kind of charge: labour and the subcontractor's work are labour; travel
    # time, kilometres, per diem and expenses are travel; the call-out fee has its own
    # term (the warranty treats it as travel); materials are parts.
    _CHARGE_CONTRACT_TERMS = {
        "labour": "labour_coverage",
        "subcontract": "labour_coverage",
        "travel_time": "travel_coverage",
        "travel": "travel_coverage",
        "per_diem": "travel_coverage",
        "expense": "travel_coverage",
        "callout": "callout_coverage",
        "material": "parts_coverage",
    }
    _CHARGE_WARRANTY_FLAGS = {
        "labour": "aftersales_warranty_labour",
        "subcontract": "aftersales_warranty_labour",
        "travel_time": "aftersales_warranty_travel",
        "travel": "aftersales_warranty_travel",
        "per_diem": "aftersales_warranty_travel",
        "expense": "aftersales_warranty_travel",
        "callout": "aftersales_warranty_travel",
        "material": "aftersales_warranty_parts",
    }
    # Kinds of charge an hour bank pays, by drawing their hours from its ledger.
    _HOUR_BANK_CHARGE_KINDS = ("labour", "travel_time")

    def _charge_coverage(self, kind, product=False):
        """``(payer, covered %)`` of a charge of ``kind`` (a charge kind) for ``product``.

        - contract: the covering contract line's term for the kind (labour, parts,
          travel, call-out %);
        - warranty: 100% when the serial's product's warranty flag for the kind is set
          (parts and labour by default; travel and call-out not);
        - hour bank: labour and travel time are drawn from the bank (100%); the caller
          draws the hours and bills what the bank does not cover;
        - billable, or a 0% term: the customer pays it all.
        """
        self.ensure_one()
        kind_coverage = self.coverage_kind
        percent = 0.0
        if kind_coverage == "contract" and self.contract_line_id:
            term = self._CHARGE_CONTRACT_TERMS.get(kind)
            percent = self.contract_line_id[term] if term else 0.0
        elif kind_coverage == "warranty":
            flag = self._CHARGE_WARRANTY_FLAGS.get(kind)
            machine = self.lot_id.product_id or self.product_id
            percent = 100.0 if flag and machine.product_tmpl_id[flag] else 0.0
        elif kind_coverage == "hour_bank" and self.contract_id:
            percent = 100.0 if kind in self._HOUR_BANK_CHARGE_KINDS else 0.0
        if not percent:
            return "customer", 0.0
        return kind_coverage, min(max(percent, 0.0), 100.0)

    @api.depends("coverage_kind", "contract_line_id", "contract_id", "warranty_end")
    def _compute_coverage_note(self):
        for record in self:
            record.coverage_note = record._coverage_explanation()

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

    @api.constrains("lot_id", "partner_id")
    def _check_lot_customer(self):
        """A serial registered to a customer serves that customer only, on a ticket as on
        an intervention."""
        for record in self:
            for lot in record._aftersales_customer_lots():
                owner = lot.aftersales_customer_id.commercial_partner_id
                if owner and owner != record.commercial_partner_id:
                    raise ValidationError(
                        self.env._(
                            "Serial %(lot)s belongs to another customer, not to %(customer)s.",
                            lot=lot.name,
                            customer=record.commercial_partner_id.display_name,
                        )
                    )

    def _aftersales_customer_lots(self):
        """The serials of the customer's that the record concerns."""
        self.ensure_one()
        return self.lot_id

    @api.constrains("contract_id", "partner_id", "company_id")
    def _check_contract_customer(self):
        for record in self.filtered("contract_id"):
            line = record.contract_line_id
            if line and line.contract_id == record.contract_id:
                # the line stores the contract's customer and company: no need to read it
                partner, company = line.partner_id, line.company_id
            else:
                partner = record.contract_id.commercial_partner_id
                company = record.contract_id.company_id
            if partner != record.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s belongs to another customer than %(customer)s.",
                        contract=record.contract_id.name,
                        customer=record.commercial_partner_id.display_name,
                    )
                )
            if company != record.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s belongs to company %(company)s.",
                        contract=record.contract_id.name,
                        company=company.name,
                    )
                )
