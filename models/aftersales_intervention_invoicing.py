import logging
from collections import defaultdict

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AftersalesIntervention(models.Model):
    """Invoicing billed interventions: their sale orders invoiced one invoice per
    customer and month, by hand or by the *Invoice Due Interventions* cron, which
    commits, then locks, then re-checks each customer (``aftersales.cron.mixin``)."""

    _inherit = "aftersales.intervention"

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    def _billing_month(self):
        self.ensure_one()
        day = fields.Date.context_today(self, self.date_end or self.write_date)
        return day.replace(day=1)

    def _invoice_groups(self, by_month=True):
        """{(customer, month or order): sale orders to invoice} for the interventions of
        ``self``. An order billing several interventions goes with its latest one."""
        orders_month = {}
        for intervention in self:
            month = intervention._billing_month()
            for order in intervention.charge_ids.sale_line_id.order_id:
                if order.invoice_status != "to invoice":
                    continue
                orders_month[order] = max(orders_month.get(order, month), month)
        groups = defaultdict(lambda: self.env["sale.order"])
        for order, month in orders_month.items():
            key = (order.partner_id.commercial_partner_id, month if by_month else order)
            groups[key] |= order
        return groups

    def _check_invoice_group(self, key, orders):
        """A grouped invoice has one company and one currency."""
        partner, __ = key
        mixed = None
        if len(orders.company_id) > 1:
            mixed = (self.env._("companies"), orders.company_id.mapped("name"))
        elif len(orders.currency_id) > 1:
            mixed = (self.env._("currencies"), orders.currency_id.mapped("name"))
        if mixed:
            raise UserError(
                self.env._(
                    "The interventions of %(partner)s cannot go on one invoice: their "
                    "orders (%(orders)s) mix %(what)s (%(values)s). Invoice them "
                    "separately, for example one company at a time.",
                    partner=partner.display_name,
                    orders=", ".join(orders.mapped("name")),
                    what=mixed[0],
                    values=", ".join(mixed[1]),
                )
            )

    @api.model
    def _invoice_orders(self, groups, by_month=True, batch_size=200):
        """Invoice the orders of ``groups`` ({(customer, month or order): orders})
        through ``sale.order._create_invoices``, a batch of whole groups at a time: one
        invoice per customer and month when ``by_month``, else one per order."""
        moves = self.env["account.move"]
        batch, size = [], 0
        for key, orders in groups.items():
            batch.append((key, orders))
            size += len(orders)
            if size >= batch_size:
                moves |= self._invoice_batch(batch, by_month)
                batch, size = [], 0
        if batch:
            moves |= self._invoice_batch(batch, by_month)
        return moves

    @api.model
    def _invoice_batch(self, batch, by_month):
        SaleOrder = self.env["sale.order"].with_context(tracking_disable=True)
        if by_month:
            # _create_invoices groups a month's orders by customer (its grouping keys)
            by_month_orders = defaultdict(lambda: SaleOrder)
            for (__, month), orders in batch:
                by_month_orders[month] |= orders
            calls = [(orders, False) for orders in by_month_orders.values()]
        else:
            calls = [(SaleOrder.union(*(orders for __, orders in batch)), True)]
        moves = self.env["account.move"]
        for orders, grouped in calls:
            moves |= orders.with_context(tracking_disable=True)._create_invoices(grouped=grouped)
        to_post = moves.filtered(lambda m: m.company_id.aftersales_invoice_post)
        if to_post:
            to_post._post()
        return moves

    def _invoice_due(self, by_month=True, batch_size=200):
        """Bill the interventions of ``self`` that are still to bill, then invoice their
        orders. Refuses a grouping that mixes companies or currencies before invoicing
        anything. Returns the invoices."""
        to_bill = self.filtered(lambda i: i.billing_status == "to_bill")
        for start in range(0, len(to_bill), batch_size):
            to_bill[start : start + batch_size]._create_sale_orders()
        groups = self.filtered(lambda i: i.billing_status == "billed")._invoice_groups(by_month)
        for key, orders in groups.items():
            self._check_invoice_group(key, orders)
        return self._invoice_orders(groups, by_month, batch_size)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_due_domain(self, month_start):
        """Done before this month (deferred invoices bill whole past months), with
        something left to bill or to invoice."""
        return (
            Domain("state", "=", "done")
            & Domain("date_end", "<", fields.Datetime.to_datetime(month_start))
            & (
                Domain("billing_status", "=", "to_bill")
                | (
                    Domain("billing_status", "=", "billed")
                    & Domain("charge_ids.sale_line_id.order_id.invoice_status", "=", "to invoice")
                )
            )
        )

    @api.model
    def _cron_invoice_due(self, batch_size=200):
        """Bill and invoice the interventions done before this month, one invoice per
        customer and month.

        The customer is the unit of work, since its month makes one invoice: a batch of
        customers at a time, commit the progress, take the customers (a transaction
        lock each, so that two runs never share one), lock all their due interventions,
        bill those still to bill and invoice all their orders, in one transaction. A
        customer taken by a concurrent run, or one of whose interventions or orders
        another transaction holds (someone billing by hand), is left whole to that
        transaction or to the next run: invoicing part of its month would make a second
        invoice later. An order once invoiced (even in draft) has nothing left to
        invoice, so a rerun after a crash never makes a second invoice.
        """
        month_start = fields.Date.context_today(self).replace(day=1)
        domain = self._cron_due_domain(month_start)

        def find(skipped):
            customers = [
                partner
                for (partner,) in self._read_group(
                    domain & Domain("commercial_partner_id", "not in", skipped),
                    ["commercial_partner_id"],
                    order="commercial_partner_id",
                )
            ]
            return self.env["res.partner"].union(*customers[:batch_size]), len(customers)

        self._cron_in_batches(
            find=find,
            # a transaction lock per customer, so that two runs never share one
            lock=self._try_lock_invoicing,
            work=lambda customers: self._cron_invoice_customers(customers, domain),
            record_errors=self._log_invoicing_errors,
            # a customer left whole to another transaction waits for the next run
            once=True,
        )

    @api.model
    def _try_lock_invoicing(self, customers):
        """The customers of ``customers`` this transaction may invoice, each locked
        until its end; those taken by another transaction are left out."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id"
                " WHERE pg_try_advisory_xact_lock(%s::regclass::oid::int, id)",
                customers.ids,
                self._table,
            )
        )
        return customers.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _cron_invoice_customers(self, customers, domain):
        """Bill and invoice the due interventions of ``customers`` (taken by this run),
        every customer whole or not at all; returns how many were invoiced, and
        {customer: error} of those that failed."""
        interventions = self.search(domain & Domain("commercial_partner_id", "in", customers.ids))
        try:
            with self.env.cr.savepoint():
                locked = interventions.try_lock_for_update()
        except psycopg2.errors.SerializationFailure:
            # changed and committed since this transaction began, by a run that did
            # these customers whole: the next batch's fresh snapshot sees it
            _logger.info("Interventions invoiced meanwhile by another run: skipped")
            return 0, {}
        busy = (interventions - locked).commercial_partner_id
        interventions = locked.filtered(lambda i: i.commercial_partner_id not in busy)
        counts, errors = self._batch_then_one_by_one(
            lambda its_interventions: its_interventions._bill_and_invoice_whole(),
            interventions,
            interventions.grouped("commercial_partner_id"),
        )
        return sum(counts), errors

    @api.model
    def _log_invoicing_errors(self, errors):
        for customer, error in errors.items():
            _logger.warning(
                "The interventions of %s could not be invoiced: %s", customer.display_name, error
            )

    def _bill_and_invoice_whole(self):
        """Bill ``self`` (every due intervention of their customers, locked), then
        invoice their orders, one invoice per customer and month; a customer one of
        whose orders another transaction holds is billed but not invoiced. Returns the
        number of customers invoiced."""
        self.filtered(lambda i: i.billing_status == "to_bill")._create_sale_orders()
        groups = self._invoice_groups(by_month=True)
        orders = self.env["sale.order"].union(*groups.values())
        busy = (orders - orders.try_lock_for_update()).partner_id.commercial_partner_id
        groups = {key: orders for key, orders in groups.items() if key[0] not in busy}
        for key, group in groups.items():
            self._check_invoice_group(key, group)
        self._invoice_orders(groups, by_month=True)
        return len(self.commercial_partner_id - busy)
