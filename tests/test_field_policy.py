"""The field policy and the money groups, walked over every model, field and role.

Nothing here lists a field: the tests read the declarations (``_system_fields``,
``_manager_fields``, ``_frozen_fields()``, ``_price_fields`` and the fields' ``groups``)
and the registry, so that a model or a field added later is covered without a new test.
"""

import json
import re
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import JsonRpcException, freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.aftersales.models.aftersales_field_policy import MONEY_GROUPS

from .common.charges import AftersalesChargeCase
from .common.http import AftersalesHttpCase
from .test_intervention_report import SIGNATURE

POLICY = "aftersales.field.policy"
# A field holds money when it is a Monetary, or a number named after money.
MONEY_NAME = re.compile(r"(^|_)(cost|margin|revenue|price|amount|fee|profit|earned|balance)(_|$)")
ROLES = ("technician", "manager", "accountant", "portal")


def addon_models(env):
    """Every model that the add-on defines, reports included."""
    names = env["ir.model.data"].search([("module", "=", "aftersales"), ("model", "=", "ir.model")])
    return [
        env[model.model]
        for model in env["ir.model"].browse(names.mapped("res_id"))
        if model.model in env
        and not env[model.model]._abstract
        and env[model.model]._original_module == "aftersales"
    ]


def money_fields(model):
    """{name: field} of the fields of ``model`` that hold money."""
    return {
        name: field
        for name, field in model._fields.items()
        if field.type == "monetary"
        or (field.type in ("float", "integer") and MONEY_NAME.search(name))
    }


@tagged("post_install", "-at_install")
class TestFieldPolicy(AftersalesChargeCase, AftersalesHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "technician": cls.user_technician,
            "manager": cls.user_manager,
            "accountant": cls.user_accountant,
            "portal": cls.user_portal,
        }
        # One record of every model: a bank contract drawn by a finished, signed visit.
        cls.bank = cls._create_contract(
            contract_kind="hour_bank",
            hour_bank_hours=10.0,
            hour_bank_overage="bill",
            date_start=date(2026, 1, 1),
        )
        cls.ticket = cls._create_ticket(subject="Pump noise", lot_id=cls.lot.id)
        with freeze_time("2026-06-03 12:00:00"):
            cls.visit = cls._create_intervention(
                date_planned_start=datetime(2026, 6, 3, 7, 0),
                date_planned_end=datetime(2026, 6, 3, 9, 0),
            )
            cls.visit.action_plan()
            cls._time(cls.visit, cls.employee, datetime(2026, 6, 3, 7, 0), hours=1.0)
            cls.visit.action_start()
            cls.visit.write({"signature": SIGNATURE, "signed_by": "Giulia Rossi"})
            cls.visit.action_done()
        cls.planned = cls._create_intervention(
            date_planned_start=datetime(2026, 6, 4, 7, 0),
            date_planned_end=datetime(2026, 6, 4, 9, 0),
        )
        cls.planned.action_plan()
        # the newest entry, on a worksheet still open
        cls._time(cls.planned, cls.employee, datetime(2026, 6, 4, 6, 30), 0.5, "travel")
        cls.env["aftersales.rate.card.zone"].create(
            {"rate_card_id": cls.card.id, "name": "Milano", "max_km": 30.0, "price": 25.0}
        )
        index = cls.env["aftersales.price.index"].create({"name": "ISTAT FOI"})
        cls.env["aftersales.price.index.value"].create(
            {"index_id": index.id, "date": "2026-01-01", "value": 100.0}
        )
        renewable = cls._create_contract(
            renewal_type="proposal", adjustment_method="percent", adjustment_percent=2.5
        )
        with freeze_time("2026-10-05"):
            renewable._renew(date(2026, 10, 5))
        cls.env["aftersales.technician.capacity"]._refresh(
            fields.Date.to_date("2026-06-01"), fields.Date.to_date("2026-06-07")
        )

    @classmethod
    def _time(cls, intervention, employee, start, hours, time_type="work"):
        return cls.env["aftersales.intervention.time"].create(
            {
                "intervention_id": intervention.id,
                "employee_id": employee.id,
                "time_type": time_type,
                "date_start": start,
                "date_end": start + timedelta(hours=hours),
            }
        )

    # ------------------------------------------------------------------
    # The declaration covers every model
    # ------------------------------------------------------------------
    def test_every_model_of_the_addon_declares_its_policy(self):
        self.assertIn("aftersales.intervention", [m._name for m in addon_models(self.env)])
        for model in addon_models(self.env):
            if not model._auto or model._transient:
                continue  # SQL-view reports are read-only; wizards write nothing of their own
            with self.subTest(model=model._name):
                self.assertIsInstance(model, self.env.registry[POLICY])

    def test_every_state_is_a_system_field(self):
        """A status that drives a flow moves through its buttons only."""
        for model in self._policy_models():
            for name in ("state",):
                if name in model._fields and model._fields[name]._module == "aftersales":
                    with self.subTest(model=model._name):
                        self.assertIn(name, model._policy_system_fields())
                        self.assertTrue(model._fields[name].readonly)

    # ------------------------------------------------------------------
    # Every declared field, as every role, over JSON-RPC
    # ------------------------------------------------------------------
    def _policy_models(self):
        return [m for m in addon_models(self.env) if isinstance(m, self.env.registry[POLICY])]

    def _sample(self, model):
        record = model.search([], limit=1, order="id desc")
        self.assertTrue(record, f"the test world has no {model._name}: add one to setUpClass")
        return record

    def _wire_value(self, record, name):
        """The record's current value of ``name``, as a client would send it."""
        field = record._fields[name]
        value = record[name]
        if field.type == "many2one":
            return value.id
        if field.type in ("one2many", "many2many"):
            return [(6, 0, value.ids)]
        if field.type == "datetime":
            return fields.Datetime.to_string(value) if value else False
        if field.type == "date":
            return fields.Date.to_string(value) if value else False
        if field.type == "binary":
            return False
        return value

    def _call_kw(self, model, method, args):
        """Call ``model.method(*args)`` over ``/web/dataset/call_kw``; an error is raised
        as ``JsonRpcException(name)`` with the server's message in ``.code``."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": {}},
        }
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"]["data"]
            raise JsonRpcException(code=data["message"], message=data["name"])
        return body.get("result")

    def _assert_write_refused(self, record, name, role):
        before = record.sudo().read([name])[0][name]
        vals = {name: self._wire_value(record.sudo(), name)}
        user = self.users[role]
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self._call_kw(record._name, "write", [record.ids, vals])
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError", (role, name))
        if record.with_user(user).has_access("write"):
            # the role may write the record: the policy itself refused the field
            self.assertIn("cannot be written directly", caught.exception.code, (role, name))
        record.invalidate_recordset()
        self.assertEqual(record.sudo().read([name])[0][name], before)

    def test_system_fields_are_refused_to_every_role_over_json_rpc(self):
        for role in ROLES:
            self.authenticate(self.users[role].login, self.users[role].login)
            for model in self._policy_models():
                record = self._sample(model)
                for name in sorted(model._policy_system_fields()):
                    field = model._fields[name]
                    if field.type == "binary" or not field.store and not field.inverse:
                        # a non-stored computed field has nothing to write
                        continue
                    with self.subTest(role=role, model=model._name, field=name):
                        self._assert_write_refused(record, name, role)

    def test_system_fields_are_refused_over_json_2(self):
        """The same declaration holds on the external API (``/json/2``, API key)."""
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_technician)
            ._generate(scope="rpc", name="test", expiration_date=datetime.now() + timedelta(1))
        )
        visit = self._intervention(partner_id=self.customer_other.id)
        for name in sorted(visit._policy_system_fields()):
            field = visit._fields[name]
            if field.type == "binary" or not field.store:
                continue
            with self.subTest(field=name), mute_logger("odoo.http"):
                response = self.url_open(
                    "/json/2/aftersales.intervention/write",
                    data=json.dumps(
                        {"ids": visit.ids, "vals": {name: self._wire_value(visit, name)}}
                    ),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {key}",
                    },
                )
                self.assertEqual(response.status_code, 403, response.text)
                self.assertIn("cannot be written directly", response.json()["message"])

    def test_manager_fields_are_a_managers_after_creation(self):
        for model in self._policy_models():
            record = self._sample(model)
            for name in model._manager_fields:
                with self.subTest(model=model._name, field=name):
                    self.authenticate("as_technician", "as_technician")
                    self._assert_write_refused(record, name, "technician")
                    manager = record.with_user(self.user_manager)
                    if manager.has_access("write") and manager._has_field_access(
                        model._fields[name], "write"
                    ):
                        self.authenticate("as_manager", "as_manager")
                        self._call_kw(
                            model._name,
                            "write",
                            [record.ids, {name: self._wire_value(record.sudo(), name)}],
                        )

    def test_a_signed_report_stays_as_signed(self):
        self.assertTrue(self.visit._frozen_fields())
        for role in ("technician", "manager"):
            self.authenticate(self.users[role].login, self.users[role].login)
            for name in sorted(self.visit._frozen_fields()):
                with self.subTest(role=role, field=name):
                    self._assert_write_refused(self.visit, name, role)

    # ------------------------------------------------------------------
    # The flow of an intervention (issue 16, point 1)
    # ------------------------------------------------------------------
    def test_technician_cannot_make_a_billable_call_free_or_skip_finish(self):
        visit = self._intervention(partner_id=self.customer_other.id)
        self.assertEqual(visit.coverage_kind, "billable")
        self.authenticate("as_technician", "as_technician")
        for vals in (
            {"coverage_kind": "warranty"},
            {"coverage_auto": "warranty"},
            {"contract_id": self.bank.id},
            {"state": "done"},
            {"state": "in_progress"},
            {"name": "INT/FORGED"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(JsonRpcException),
                mute_logger("odoo.http"),
            ):
                self._call_kw(visit._name, "write", [visit.ids, vals])
        visit.invalidate_recordset()
        self.assertEqual((visit.state, visit.coverage_kind), ("draft", "billable"))
        self.assertFalse(visit.picking_ids if "picking_ids" in visit._fields else False)
        # the buttons still move it, with their checks
        self._call_kw(visit._name, "action_start", [visit.ids])
        visit.invalidate_recordset()
        self.assertEqual(visit.state, "in_progress")

    def test_a_finished_worksheet_cannot_be_reopened_by_writing_its_state(self):
        self.authenticate("as_manager", "as_manager")
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self._call_kw(self.visit._name, "write", [self.visit.ids, {"state": "in_progress"}])
        self.visit.invalidate_recordset()
        self.assertEqual(self.visit.state, "done")

    # ------------------------------------------------------------------
    # Money (issue 16, point 2)
    # ------------------------------------------------------------------
    def test_every_money_field_is_declared(self):
        """A field that holds money carries the money groups, or is a price its model
        declares readable by those who work the record."""
        money_groups = set(MONEY_GROUPS.split(","))
        for model in addon_models(self.env) + self._core_models():
            own = {
                n: f
                for n, f in money_fields(model).items()
                if f._module == "aftersales" or model in addon_models(self.env)
            }
            for name, field in own.items():
                if field.related or name == "currency_id":
                    continue
                with self.subTest(model=model._name, field=name):
                    declared_price = name in getattr(model, "_price_fields", ())
                    groups = set(field.groups.split(",")) if field.groups else set()
                    readers = self._model_readers(model)
                    self.assertTrue(
                        declared_price
                        or (groups and groups <= money_groups)
                        or readers <= {"manager", "accountant"},
                        f"{model._name}.{name} holds money: give it groups=MONEY_GROUPS or "
                        "list it in the model's _price_fields",
                    )

    def _core_models(self):
        return [
            self.env[name]
            for name in sorted(
                {
                    model_name
                    for model_name in self.env.registry
                    if not self.env[model_name]._abstract
                    and any(
                        f._module == "aftersales" for f in self.env[model_name]._fields.values()
                    )
                }
                - {m._name for m in addon_models(self.env)}
            )
        ]

    def _model_readers(self, model):
        return {
            role for role, user in self.users.items() if model.with_user(user).has_access("read")
        }

    def test_money_is_read_by_those_who_handle_money(self):
        """For every role and every money field that is not a declared price: read,
        search, group by and aggregate are refused to the roles outside the money
        groups, and allowed to the others (where the model is theirs to read)."""
        for model in addon_models(self.env) + self._core_models():
            hidden = [
                name
                for name, field in money_fields(model).items()
                if field.groups
                and field._module == "aftersales"
                and name not in getattr(model, "_price_fields", ())
                and not field.related
            ]
            for name in hidden:
                field = model._fields[name]
                for role, user in self.users.items():
                    as_role = model.with_user(user)
                    if not as_role.has_access("read"):
                        continue
                    allowed = any(user.has_group(g) for g in field.groups.split(","))
                    with self.subTest(model=model._name, field=name, role=role):
                        self.assertEqual(role in ("manager", "accountant"), allowed)
                        self.assertEqual(name in as_role.fields_get([name]), allowed)
                        calls = [lambda m=as_role, n=name: m.search_read([], [n], limit=1)]
                        if field.store:
                            calls += [
                                lambda m=as_role, n=name: m.search([(n, "!=", 12.5)], limit=1),
                                lambda m=as_role, n=name: m.read_group([], [f"{n}:sum"], []),
                                lambda m=as_role, n=name: m.formatted_read_group(
                                    [], [], [f"{n}:sum"]
                                ),
                            ]
                        for call in calls:
                            if allowed:
                                call()
                            else:
                                with self.assertRaises(AccessError):
                                    call()

    def test_technicians_see_what_hangs_off_the_interventions_they_see(self):
        """Every model with a link to an intervention is read as the intervention is."""
        other_team = self.env["aftersales.team"].create({"name": "Nord"})
        hidden = self._create_intervention(employees=self.employee_other, team_id=other_team.id)
        hidden.action_start()
        self._time(hidden, self.employee_other, datetime(2026, 6, 4, 7, 0), hours=1.0)
        hidden.action_done()
        self.assertTrue(hidden.charge_ids)
        technician = self.user_technician
        seen = self.env["aftersales.intervention"].with_user(technician).search([])
        self.assertNotIn(hidden, seen)
        for model in addon_models(self.env):
            link = next(
                (
                    n
                    for n, f in model._fields.items()
                    if f.type == "many2one"
                    and f.comodel_name == "aftersales.intervention"
                    and f.store
                ),
                None,
            )
            if not link or not model.with_user(technician).has_access("read"):
                continue
            with self.subTest(model=model._name):
                everything = model.sudo().search([(link, "!=", False)])
                visible = model.with_user(technician).search([(link, "!=", False)])
                self.assertEqual(
                    set(visible.ids),
                    set(everything.filtered(lambda r, link=link: r[link] in seen).ids),
                )
