from datetime import timedelta

from odoo import Command

from .intervention import AftersalesInterventionCase


class AftersalesReportCase(AftersalesInterventionCase):
    """Helpers for the datamart's known worlds: finished interventions with their charge
    lines' costs, their billed revenue on posted invoices, and contract fee invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["product.product"].create(
            {
                "name": "Billed work (test)",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1.0,
                "taxes_id": [Command.set(cls.tax_22.ids)],
            }
        )

    @classmethod
    def _done_intervention(cls, start, hours, costs=None, **vals):
        """A done intervention from ``start`` lasting ``hours``, with one charge line per
        ``{kind: cost}`` of ``costs``."""
        state = vals.pop("state", "done")
        intervention = cls._create_intervention(
            date_planned_start=start,
            date_planned_end=start + timedelta(hours=max(hours, 1)),
            **vals,
        )
        intervention.write(
            {
                "date_start": start,
                "date_end": start + timedelta(hours=hours),
                "state": state,
            }
        )
        cls._add_costs(intervention, costs or {})
        return intervention

    @classmethod
    def _add_costs(cls, intervention, costs):
        cls.env["aftersales.intervention.charge"].create(
            [
                {
                    "intervention_id": intervention.id,
                    "kind": kind,
                    "name": kind,
                    "quantity": 1.0,
                    "price_unit": 0.0,
                    "cost": cost,
                }
                for kind, cost in costs.items()
            ]
        )

    @classmethod
    def _bill(cls, intervention, amount, day, post=True):
        """Bill ``amount`` (untaxed) of ``intervention`` on an invoice dated ``day``."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": intervention.partner_id.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.service.id, "product_uom_qty": 1, "price_unit": amount}
                    )
                ],
            }
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = day
        if post:
            invoice.action_post()
        charge = cls.env["aftersales.intervention.charge"].create(
            {
                "intervention_id": intervention.id,
                "kind": "labour",
                "name": "Billed labour",
                "quantity": 1.0,
                "price_unit": amount,
                "cost": 0.0,
            }
        )
        charge.sale_line_id = order.order_line
        return invoice

    @classmethod
    def _fee_invoice(cls, contract, amount, day, move_type="out_invoice"):
        """A posted invoice (or credit note) of ``amount`` for the contract's fee line."""
        fee_line = contract.line_ids.filtered("product_id")[:1]
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": contract.partner_id.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": fee_line.product_id.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "aftersales_contract_line_id": fee_line.id,
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _groups(self, model, groupby, aggregates, domain=()):
        """``{group key: {aggregate: value}}`` of a report, rounded to the cent."""
        result = {}
        for row in self.env[model]._read_group(list(domain), [groupby], aggregates):
            key = row[0]
            key = key.id if hasattr(key, "id") else key
            result[key] = {
                spec: round(value or 0.0, 2)
                for spec, value in zip(aggregates, row[1:], strict=True)
            }
        return result
