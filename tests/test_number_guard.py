"""Every number the add-on stores is finite: a class test over every Float and Monetary
field that the add-on declares, on its own models and on the core models it extends,
found from the registry so that a field added later is covered.

As a service manager over JSON-RPC (``/web/dataset/call_kw``, what the web client and a
script send), each field is given NaN, +/-infinity (as JSON tokens and as strings) and
1e308, on ``create`` and on ``write`` of an existing record: the answer is a clear error
(never a 500 from the add-on's code), and nothing is stored.
"""

import json
import math

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common.intervention import AftersalesInterventionCase

MODULE = "aftersales"
BAD_NUMBERS = (float("nan"), float("inf"), float("-inf"), 1e308, "nan", "-inf")
CLEAR_ERRORS = {
    f"odoo.exceptions.{name}" for name in ("ValidationError", "UserError", "AccessError")
}


@tagged("post_install", "-at_install")
class TestNumberGuard(AftersalesInterventionCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # one record at least of the models with numbers a user enters
        cls.contract = cls._create_contract(lines=[cls._fee_line(), cls._covered_line(cls.lot)])
        cls.intervention = cls._create_intervention(travel_km=12.0)
        cls.intervention.action_start()
        cls.env["aftersales.intervention.charge"].create(
            {
                "intervention_id": cls.intervention.id,
                "kind": "labour",
                "name": "Labour",
                "quantity": 1.0,
                "price_unit": 40.0,
            }
        )
        product = cls.env["product.product"].create({"name": "Travel", "type": "service"})
        cls.env["aftersales.rate.card"].create(
            {
                "name": "Zones",
                "travel_mode": "zone",
                "travel_product_id": product.id,
                "travel_zone_ids": [(0, 0, {"name": "Up to 30 km", "max_km": 30.0, "price": 20.0})],
            }
        )
        index = cls.env["aftersales.price.index"].create({"name": "FOI"})
        cls.env["aftersales.price.index.value"].create(
            {"index_id": index.id, "date": "2026-01-01", "value": 120.0}
        )

    def _number_fields(self):
        """{model: [field names]}: the Float and Monetary fields the add-on declares,
        on every model with a table."""
        fields_by_model = {}
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if Model._abstract or not Model._auto:
                continue
            names = sorted(
                name
                for name, field in Model._fields.items()
                if field.type in ("float", "monetary") and MODULE in field._modules
            )
            if names:
                fields_by_model[model_name] = names
        return fields_by_model

    def _call(self, model, method, args):
        # NaN and Infinity as JavaScript's JSON.parse does not take them, but Python's
        # json (Odoo's request parser) does: requests refuses to send them, json.dumps not
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": {}},
        }
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertRefused(self, answer, label):
        error = answer.get("error")
        self.assertTrue(error, f"accepted: {answer}")
        self.assertIn(error["data"]["name"], CLEAR_ERRORS, error["data"]["message"])
        if error["data"]["name"] == "odoo.exceptions.ValidationError":
            self.assertIn("must be a finite number", error["data"]["message"])
            self.assertIn(label, error["data"]["message"])

    def test_every_number_field_refuses_non_finite_values(self):
        fields_by_model = self._number_fields()
        # the class is found, with the fields of the issue among it
        for model, name in (
            ("aftersales.intervention", "travel_km"),
            ("aftersales.intervention", "per_diem_days"),
            ("aftersales.intervention.charge", "coverage_percent"),
            ("aftersales.contract.line", "price_unit"),
            ("aftersales.rate.card", "hourly_rate"),
            ("res.company", "aftersales_vehicle_cost_per_km"),
            ("stock.picking", "aftersales_gross_weight"),
        ):
            self.assertIn(name, fields_by_model.get(model, ()), model)
        self.authenticate("as_manager", "as_manager")
        written = set()
        with mute_logger("odoo.http", "odoo.sql_db"):
            for model, names in fields_by_model.items():
                record = self.env[model].sudo().with_context(active_test=False).search([], limit=1)
                for name in names:
                    label = self.env[model]._fields[name]._description_string(self.env)
                    for value in BAD_NUMBERS:
                        with self.subTest(model=model, field=name, value=value, method="create"):
                            self.assertRefused(self._call(model, "create", [{name: value}]), label)
                        if not record:
                            continue
                        with self.subTest(model=model, field=name, value=value, method="write"):
                            answer = self._call(model, "write", [record.ids, {name: value}])
                            self.assertRefused(answer, label)
                            record.invalidate_recordset()
                            stored = record[name]
                            self.assertTrue(math.isfinite(stored), f"{model}.{name} = {stored}")
                            written.add(model)
        self.assertGreaterEqual(
            written,
            {
                "aftersales.intervention",
                "aftersales.intervention.charge",
                "aftersales.contract",
                "aftersales.contract.line",
                "aftersales.rate.card",
                "aftersales.rate.card.zone",
                "aftersales.price.index.value",
                "aftersales.team",
                "res.company",
            },
        )
