from datetime import date, datetime

from odoo.fields import Command

from .intervention import AftersalesInterventionCase


class AftersalesChargeCase(AftersalesInterventionCase):
    """Charge fixtures: the company's default rate card (call-out 35.00, 0.45 per km,
    48.00 an hour, travel time 30.00 an hour, overtime +30%, holiday +50%, per diem
    45.00 after 8 hours away, billed in 15-minute units with a 30-minute minimum),
    vehicle kilometres costing 0.30, the technician's van with ten gaskets (average cost
    4.00, sold at 9.50). Technicians cost 30.00 an hour (intervention.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_vehicle_cost_per_km = 0.30
        service = {"type": "service"}
        cls.p_callout, cls.p_travel, cls.p_per_diem, cls.p_labour, cls.p_travel_time = cls.env[
            "product.product"
        ].create(
            [
                {"name": "Diritto di chiamata", **service},
                {"name": "Trasferta (km)", **service},
                {"name": "Diaria", **service},
                {"name": "Manodopera", **service},
                {"name": "Ore di viaggio", **service},
            ]
        )
        cls.card = cls.env["aftersales.rate.card"].create(
            {
                "name": "Standard",
                "is_company_default": True,
                "callout_fee": 35.0,
                "callout_product_id": cls.p_callout.id,
                "travel_mode": "km",
                "travel_km_price": 0.45,
                "travel_product_id": cls.p_travel.id,
                "per_diem_price": 45.0,
                "per_diem_min_hours": 8.0,
                "per_diem_product_id": cls.p_per_diem.id,
                "hourly_rate": 48.0,
                "labour_product_id": cls.p_labour.id,
                "travel_hourly_rate": 30.0,
                "travel_time_product_id": cls.p_travel_time.id,
                "overtime_mode": "uplift",
                "overtime_uplift": 30.0,
                "holiday_mode": "uplift",
                "holiday_uplift": 50.0,
                "rounding_minutes": 15,
                "min_billable_minutes": 30,
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.van = cls.env["stock.location"].create(
            {
                "name": "Van FB123XY",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
            }
        )
        cls.employee.aftersales_location_id = cls.van
        categ = cls.env["product.category"].create(
            {"name": "Spare parts (AVCO)", "property_cost_method": "average"}
        )
        cls.gasket = cls.env["product.product"].create(
            {
                "name": "Group gasket 8.5 mm",
                "type": "consu",
                "is_storable": True,
                "categ_id": categ.id,
                "standard_price": 4.0,
                "list_price": 9.5,
            }
        )
        cls.env["stock.quant"].create(
            {"product_id": cls.gasket.id, "location_id": cls.van.id, "inventory_quantity": 10.0}
        ).action_apply_inventory()
        cls.customer.property_product_pricelist = False

    def _entry(self, intervention, start, end, time_type="work", employee=None):
        return self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": intervention.id,
                "employee_id": (employee or self.employee).id,
                "time_type": time_type,
                "date_start": start,
                "date_end": end,
            }
        )

    def _intervention(self, **vals):
        return self._create_intervention(date_planned_start=datetime(2026, 6, 1, 7, 0), **vals)

    def _used(self, product, qty=1.0):
        return Command.create(
            {"aftersales_line_type": "used", "product_id": product.id, "product_uom_qty": qty}
        )

    def _finish(self, intervention):
        intervention.action_start()
        intervention.action_done()
        return intervention

    def _lines(self, intervention):
        """{(kind, hour kind, paid by): (qty, price, amount, covered, customer, cost)}."""
        return {
            (c.kind, c.labour_kind or False, c.coverage_kind): (
                round(c.quantity, 4),
                c.price_unit,
                c.amount,
                c.covered_amount,
                c.customer_amount,
                c.cost,
            )
            for c in intervention.charge_ids
        }

    def _bank(self, hours, **vals):
        return self._create_contract(
            contract_kind="hour_bank",
            hour_bank_hours=hours,
            date_start=date(2026, 1, 1),
            **vals,
        )
