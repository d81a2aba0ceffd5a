"""make bench: finishing interventions with material lines.

Finishing an intervention with 5 and with 20 material lines from the van creates ONE
delivery picking, validated. Printed next to a baseline that creates and validates the
same delivery directly as stock does (picking, moves, move lines, confirm, done): the
queries per extra line should be stock's own.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Measure, odoo_env, parse_args

LINES = (5, 20)
ROUNDS = 5


def setup(env):
    from odoo.fields import Command

    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    van = env["stock.location"].create(
        {"name": "Bench van", "usage": "internal", "location_id": warehouse.view_location_id.id}
    )
    employee = env["hr.employee"].create(
        {"name": "Bench technician", "aftersales_location_id": van.id}
    )
    customer = env["res.partner"].create({"name": "Bench customer", "is_company": True})
    parts = env["product.product"].create(
        [
            {
                "name": f"Bench part {n:02d}",
                "type": "consu",
                "is_storable": True,
                "standard_price": 3.0,
            }
            for n in range(max(LINES))
        ]
    )
    env["stock.quant"].create(
        [{"product_id": p.id, "location_id": van.id, "inventory_quantity": 10_000.0} for p in parts]
    ).action_apply_inventory()
    env.flush_all()
    return warehouse, van, employee, customer, parts, Command


def intervention(env, employee, customer, parts, lines, Command):
    record = env["aftersales.intervention"].create(
        {
            "summary": "Bench visit",
            "partner_id": customer.id,
            "employee_ids": [Command.set(employee.ids)],
            "material_move_ids": [
                Command.create(
                    {"aftersales_line_type": "used", "product_id": p.id, "product_uom_qty": 1.0}
                )
                for p in parts[:lines]
            ],
        }
    )
    record.action_start()
    return record


def baseline(env, warehouse, van, customer, parts, lines, Command):
    customer_location = env.ref("stock.stock_location_customers")
    picking = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.out_type_id.id,
            "partner_id": customer.id,
            "location_id": van.id,
            "location_dest_id": customer_location.id,
            "move_ids": [
                Command.create(
                    {
                        "product_id": p.id,
                        "product_uom_qty": 1.0,
                        "location_id": van.id,
                        "location_dest_id": customer_location.id,
                    }
                )
                for p in parts[:lines]
            ],
        }
    )
    env["stock.move.line"].create(
        [
            {
                "move_id": m.id,
                "picking_id": picking.id,
                "product_id": m.product_id.id,
                "product_uom_id": m.product_uom.id,
                "quantity": 1.0,
                "location_id": van.id,
                "location_dest_id": customer_location.id,
            }
            for m in picking.move_ids
        ]
    )
    picking.move_ids._action_confirm(merge=False)
    picking.move_ids.picked = True
    picking._action_done()
    return picking


def main():
    args = parse_args(__doc__)
    with odoo_env(args) as env:
        warehouse, van, employee, customer, parts, Command = setup(env)
        rows = []
        for lines in LINES:
            records = [
                intervention(env, employee, customer, parts, lines, Command) for _ in range(ROUNDS)
            ]
            env.flush_all()
            records[0].action_done()  # warm-up
            total = None
            for record in records[1:]:
                env.invalidate_all()
                with Measure(env, f"finish, {lines} lines") as m:
                    record.action_done()
                total = m if total is None or m.queries < total.queries else total
            rows.append((total, lines))
            for _ in range(2):
                env.invalidate_all()
                with Measure(env, f"baseline delivery, {lines} lines") as b:
                    baseline(env, warehouse, van, customer, parts, lines, Command)
            rows.append((b, lines))
            assert len(records[-1].picking_ids) == 1
        print()
        print("Intervention materials benchmark (best of the rounds, warm caches)")
        print(f"{'step':<34} {'time':>10}  {'peak memory':>13}  {'queries':>8}  {'per line':>13}")
        for measure, items in rows:
            print(measure.line(items))
        env.cr.rollback()


if __name__ == "__main__":
    main()
