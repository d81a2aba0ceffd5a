from contextlib import contextmanager
from datetime import date, datetime

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools.view_validation import get_dict_asts

from .common.charges import AftersalesChargeCase
from .common.web_client import SUBVIEW_TAGS, WebClient

REGISTRY_FORM = "aftersales.stock_lot_view_form_aftersales"


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestRoleSurface(AftersalesChargeCase):
    """Each role opens everything the web client offers it, as the web client does.

    For every user of the fixtures (each with exactly the groups of a job, or a job and
    the companion app it is given in practice): every menu of the module it sees, every
    window action of the module it may open, every view of these actions with the
    records read through the view's own field specification, the smart buttons of each
    form and what they open, every form of the module on records in every state and the
    form behind each of their many2one links, and the forms of Odoo's models that the
    module extends. A field added later to a view that one of these users cannot read,
    or a form added later, fails here."""

    # Odoo's forms that the module extends, by the roles whose own app opens them
    CORE_FORMS = {
        "technician": ("res.partner", "hr.expense"),
        "manager": ("res.partner",),
        "accountant": ("account.move", "res.partner"),
        "salesperson": ("sale.order", "res.partner", "product.template"),
        "storekeeper": ("stock.lot", "stock.picking", "res.partner", "product.template"),
        "technician with Inventory": ("stock.lot", "stock.picking", "repair.order"),
        "manager with Sales": ("sale.order", "res.partner"),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the companion apps a job is given in practice: the demo's service manager has
        # Sales' "own documents only" and no Fleet; a technician has no other app
        cls.user_manager_sales = new_test_user(
            cls.env,
            login="as_manager_sales",
            name="Elena Manager-with-Sales",
            groups="aftersales.group_aftersales_manager,sales_team.group_sale_salesman",
        )
        cls.user_technician_stock = new_test_user(
            cls.env,
            login="as_technician_stock",
            groups="aftersales.group_aftersales_user,stock.group_stock_user",
        )
        cls.team.member_ids = [Command.link(cls.user_technician_stock.id)]
        cls._create_surface_data()
        cls._create_intervention_world()

    @classmethod
    def _create_surface_data(cls):
        callout = cls.env["product.product"].create(
            {"name": "Call-out fee", "type": "service", "list_price": 80.0}
        )
        cls.team.write({"callout_product_id": callout.id})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.user_salesperson.id,
                "order_line": [
                    Command.create({"product_id": cls.machine.id, "product_uom_qty": 1}),
                    Command.create({"product_id": cls.fee_product.id, "product_uom_qty": 1}),
                ],
            }
        )
        cls.order.action_confirm()
        cls.order_contract = cls.order.aftersales_contract_ids
        cls.contract = cls._create_contract(lines=[cls._fee_line(), cls._covered_line(lot=cls.lot)])
        cls.contract.action_create_invoices()
        cls.invoice = cls.contract.invoice_ids[:1]
        cls.env["aftersales.contract.revision"].create(
            {
                "contract_id": cls.contract.id,
                "line_id": cls.contract.line_ids[:1].id,
                "date": "2026-01-01",
                "method": "percent",
                "old_price": 290.0,
                "new_price": 300.0,
            }
        )
        failed = cls._create_contract(partner_id=cls.customer_other.id)
        failed.write({"invoicing_error": "No sales journal", "invoicing_error_date": "2026-03-01"})
        index = cls.env["aftersales.price.index"].create({"name": "FOI (test)"})
        cls.env["aftersales.price.index.value"].create(
            {"index_id": index.id, "date": "2026-01-01", "value": 120.0}
        )
        cls.ticket = cls._create_ticket(lot_id=cls.lot.id, user_id=cls.user_technician.id)
        cls.ticket.action_create_quotation()
        cls.ticket.action_create_return()
        cls.ticket.action_create_repair()
        cls.ticket.activity_schedule("mail.mail_activity_data_todo", user_id=cls.user_manager.id)
        # the technician's own expense note, for an intervention
        intervention = cls.env["aftersales.intervention"].create(
            {
                "summary": "Visit",
                "partner_id": cls.customer.id,
                "employee_ids": [Command.set(cls.employee.ids)],
            }
        )
        cls.expense = cls.env["hr.expense"].create(
            {
                "name": "Parcheggio Milano Centro",
                "employee_id": cls.employee.id,
                "total_amount_currency": 6.5,
                "aftersales_intervention_id": intervention.id,
            }
        )

    @classmethod
    def _create_intervention_world(cls):
        """Interventions of the team in every state: draft (its van booked by another
        visit at the same time), planned, in progress, done and to bill, billed, invoiced
        and cancelled; billed by a colleague, as the demo's are, so that the orders are
        not the role's own."""
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        cls.vehicle = cls.env["fleet.vehicle"].create(
            {
                "model_id": cls.env["fleet.vehicle.model"]
                .create({"name": "Doblò", "brand_id": brand.id})
                .id,
                "license_plate": "FB123XY",
            }
        )
        cls.lot_billable = cls._create_lot(
            "AUR-0002",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=date(2023, 1, 1),
        )
        cls.user_billing = new_test_user(
            cls.env,
            login="as_billing",
            name="Bruno Billing",
            groups="aftersales.group_aftersales_manager,sales_team.group_sale_salesman_all_leads",
        )

        def visit(summary, day, lot, employees=cls.employee, month=3, **vals):
            return cls._create_intervention(
                employees,
                summary=summary,
                lot_id=lot.id,
                user_id=cls.user_manager.id,
                site_partner_id=cls.customer_contact.id,
                date_planned_start=datetime(2026, month, day, 8, 0),
                date_planned_end=datetime(2026, month, day, 10, 0),
                **vals,
            )

        planned = visit("Planned", 3, cls.lot_billable, cls.employee_2, vehicle_id=cls.vehicle.id)
        planned.action_plan()
        draft = visit(
            "Draft",
            3,
            cls.lot,
            ticket_id=cls.ticket.id,
            vehicle_id=cls.vehicle.id,
            subcontractor_id=cls.vendor.id,
        )
        started = visit("Started", 2, cls.lot, ticket_id=cls.ticket.id)
        started.action_start()
        cancelled = visit("Cancelled", 4, cls.lot_billable)
        cancelled.action_cancel()
        to_bill, billed, invoiced = (
            visit(summary, day, cls.lot_billable, month=2, travel_km=12.0)
            for summary, day in (("To bill", 23), ("Billed", 24), ("Invoiced", 25))
        )
        for done in to_bill | billed | invoiced:
            done.action_start()
            # an hour of work: a timesheet in the team's project
            start = done.date_planned_start
            cls.env["aftersales.intervention.time"].create(
                {
                    "intervention_id": done.id,
                    "employee_id": cls.employee.id,
                    "time_type": "work",
                    "date_start": start,
                    "date_end": start.replace(hour=start.hour + 1),
                }
            )
            done.action_done()
        (billed | invoiced).with_user(cls.user_billing).action_create_sale_order()
        cls.intervention_invoice = invoiced.sudo().sale_order_ids._create_invoices()
        cls.intervention_invoice.action_post()
        cls.interventions = planned | draft | started | cancelled | to_bill | billed | invoiced

    def _roles(self):
        return {
            "technician": self.user_technician,
            "manager": self.user_manager,
            "accountant": self.user_accountant,
            "salesperson": self.user_salesperson,
            "storekeeper": self.user_storekeeper,
        }

    def _open_module(self, user):
        """Every menu of the module ``user`` sees, then every other window action of the
        module that ``user`` may open; returns the web client and the menus' xml ids."""
        client = WebClient(self.env(user=user))
        menus = client.visible_menus("aftersales")
        opened = self.env["ir.actions.act_window"]
        for menu in menus:
            if menu["action_model"] == "ir.actions.act_window":
                action = self.env["ir.actions.act_window"].browse(menu["action_id"])
                with self.subTest(menu=menu["xmlid"]):
                    client.open_action(action)
                opened |= action
        data = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.actions.act_window")]
        )
        for action in self.env["ir.actions.act_window"].browse(data.mapped("res_id")) - opened:
            if action.group_ids and not action.group_ids & user.all_group_ids:
                continue
            if not self.env[action.res_model].with_user(user).has_access("read"):
                continue
            with self.subTest(action=action.name):
                client.open_action(action)
        return client, {menu["xmlid"] for menu in menus}

    def _read_models(self, client):
        return {model for model, _mode, ids in client.read if ids}

    def test_technician_opens_every_menu(self):
        client, menus = self._open_module(self.user_technician)
        self.assertIn("aftersales.aftersales_ticket_menu", menus)
        self.assertIn("aftersales.stock_lot_menu", menus)
        self.assertNotIn("aftersales.aftersales_config_menu", menus)
        # the margins are not theirs
        self.assertNotIn("aftersales.aftersales_profitability_report_menu", menus)
        self.assertNotIn("aftersales.aftersales_reliability_report_menu", menus)
        self.assertLessEqual(
            {"aftersales.ticket", "aftersales.contract", "stock.lot"}, self._read_models(client)
        )

    def test_manager_opens_every_menu(self):
        client, menus = self._open_module(self.user_manager)
        self.assertIn("aftersales.aftersales_team_menu", menus)
        self.assertIn("aftersales.aftersales_contract_failed_menu", menus)
        self.assertIn("aftersales.aftersales_invoice_due_menu", menus)
        self.assertIn("aftersales.aftersales_profitability_report_menu", menus)
        self.assertIn("aftersales.aftersales_reliability_report_loss_menu", menus)
        self.assertLessEqual(
            {
                "aftersales.ticket",
                "aftersales.contract",
                "aftersales.contract.template",
                "aftersales.contract.revision",
                "aftersales.price.index",
                "aftersales.team",
                "aftersales.ticket.stage",
                "stock.lot",
            },
            self._read_models(client),
        )

    def test_accountant_opens_contracts_from_accounting(self):
        client, menus = self._open_module(self.user_accountant)
        self.assertEqual(
            menus,
            {
                "aftersales.aftersales_contract_accounting_menu",
                "aftersales.aftersales_invoice_due_accounting_menu",
                "aftersales.aftersales_profitability_report_accounting_menu",
                "aftersales.aftersales_reliability_report_accounting_menu",
            },
        )
        self.assertIn("aftersales.contract", self._read_models(client))

    def test_other_apps_users_see_no_after_sales_menu(self):
        for role in ("salesperson", "storekeeper"):
            with self.subTest(role=role):
                _client, menus = self._open_module(self._roles()[role])
                self.assertFalse(menus)

    def _core_records(self):
        """Records of Odoo's models whose views the module extends."""
        return {
            "stock.lot": self.lot,
            "res.partner": self.customer,
            "sale.order": self.order,
            "account.move": self.invoice,
            "stock.picking": self.ticket.picking_ids,
            "repair.order": self.ticket.repair_ids,
            "product.template": self.machine.product_tmpl_id,
            "hr.expense": self.expense,
        }

    def _companion_roles(self):
        return {
            **self._roles(),
            "technician with Inventory": self.user_technician_stock,
            "manager with Sales": self.user_manager_sales,
        }

    def test_extended_forms_open_for_the_roles_that_work_on_them(self):
        """Odoo's forms that the module extends, as the users of their own app open
        them, and the module's smart buttons on them. (Odoo's own forms are not all
        meant for every user who may read the model: a salesperson does not open
        transfers, a storekeeper does not open quotations.)"""
        records = self._core_records()
        for role, user in self._companion_roles().items():
            self.order.user_id = user  # salespeople see their own orders
            client = WebClient(self.env(user=user))
            for model in self.CORE_FORMS[role]:
                self.assertTrue(records[model], model)
                with self.subTest(role=role, model=model):
                    client.open_form(records[model], follow="aftersales")
            forms = set(self.CORE_FORMS[role])
            self.assertEqual(forms, self._read_models(client) & forms)

    # ------------------------------------------------------------------
    # Every form of the module, every record, every link
    # ------------------------------------------------------------------
    def _module_forms(self):
        """{form view: names of the many2one fields to follow, None for all}: every form
        of the module (its own, with every field), and every form of Odoo's that one of
        its views extends (with the fields the module adds). Wizards aside."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.ui.view")]
        )
        views = self.env["ir.ui.view"].browse(data.mapped("res_id"))
        forms = {}
        for view in views.filtered(lambda v: v.type == "form"):
            if self.env[view.model]._transient:
                continue
            root = view
            while root.mode == "extension":
                root = root.inherit_id
            if root in views:
                forms[root] = None
            elif forms.get(root, ()) is not None:
                added = {
                    node.get("name")
                    for node in etree.fromstring(view.arch_db).iter("field")
                    if not node.get("position")
                }
                forms[root] = set(forms.get(root, ())) | added
        return forms

    def _form_records(self, role, user, view, names):
        """The records ``user`` opens with ``view``: every record of the module's model
        it may read; of Odoo's models, the test's records, for the roles whose app opens
        that form."""
        Model = self.env[view.model].with_user(user)
        if not Model.has_access("read"):
            return Model.browse()
        if names is None:
            return Model.search([])
        if view.model not in self.CORE_FORMS.get(role, ()):
            return Model.browse()
        records = self._core_records()[view.model]
        if view.model == "sale.order":
            records |= self.interventions.sudo().sale_order_ids | self.ticket.sudo().sale_order_ids
        return records.with_user(user)._filtered_access("read")

    def _walk_forms(self, role, user):
        """Open every form of the module on every record ``user`` may read, press its
        smart buttons, and follow each of its many2one links as the web client does.
        Returns the web client and the {(model, id)} of the records opened."""
        client = WebClient(self.env(user=user))
        opened = set()

        @contextmanager
        def link(field, target):
            with self.subTest(role=role, link=f"{field.model_name}.{field.name}", to=target):
                yield

        for view, names in self._module_forms().items():
            records = self._form_records(role, user, view, names)
            if not records:
                continue
            arch = records.get_views([(view.id, "form")])["views"]["form"]["arch"]
            for record in records:
                with self.subTest(role=role, form=view.xml_id, record=record.display_name):
                    values = client.open_form(
                        record, arch=arch, follow=True if names is None else "aftersales"
                    )[0]
                    opened.add((record._name, record.id))
                    client.follow_links(record, arch, values, names, on_link=link)
        return client, opened

    def test_every_form_and_link_opens_for_each_role(self):
        """As each role, with its companion apps: every form of the module on every
        record in every state, its smart buttons, and the form that each many2one link
        opens (the link's own ``form_view_ref``, else the model's form). A field that a
        role's groups hide is not in its form, so it is not followed."""
        states = {"draft", "planned", "in_progress", "done", "cancel"}
        self.assertEqual(set(self.interventions.mapped("state")), states)
        self.assertEqual(
            set(self.interventions.mapped("billing_status")), {False, "to_bill", "billed"}
        )
        self.assertTrue(self.intervention_invoice)
        self.assertTrue(self.team.project_id)
        interventions = {("aftersales.intervention", i.id) for i in self.interventions}
        for role, user in self._companion_roles().items():
            with self.subTest(role=role):
                client, opened = self._walk_forms(role, user)
                if not user.has_group("aftersales.group_aftersales_user"):
                    continue
                # every intervention of the team, whatever its state; their serials in
                # the registry form; the vehicle, Fleet's, not followed without Fleet
                self.assertLessEqual(interventions, opened)
                self.assertIn(("stock.lot", self.lot_billable.id, REGISTRY_FORM), client.linked)
                self.assertNotIn("fleet.vehicle", {model for model, *_ in client.linked})

    def test_service_manager_reads_the_orders_of_tickets_and_visits(self):
        """The demo's service manager (After-Sales / Manager, Sales' "own documents
        only") opens the orders billing the visits and the ticket's quotation, made by
        others, read only; nobody else gains an order, and nobody who read every order
        loses one. A smart button or a link to an order shows only the orders the user
        may open: a technician with Sales sees his own, the contract's originating order
        is Sales' document."""
        manager = self.user_manager_sales
        billed = self.interventions.filtered(lambda i: i.billing_status == "billed")
        orders = billed.sudo().sale_order_ids | self.ticket.sudo().sale_order_ids
        self.assertEqual(len(orders), 3)
        self.assertNotIn(manager, orders.user_id)
        self.assertEqual(orders.with_user(manager)._filtered_access("read"), orders)
        self.assertEqual(
            orders.order_line.with_user(manager)._filtered_access("read"), orders.order_line
        )
        with self.assertRaises(AccessError):
            orders[:1].with_user(manager).write({"client_order_ref": "changed"})
        client = WebClient(self.env(user=manager))
        for intervention in billed:
            values = client.open_form(intervention)[0]
            self.assertEqual(values["sale_order_count"], 1)
        self.assertIn("sale.order", self._read_models(client))
        # the contract's originating order stays the salesperson's
        self.assertFalse(self.order.with_user(manager).has_access("read"))
        values = client.open_form(self.order_contract)[0]
        self.assertFalse(values["sale_order_readable"])
        # nobody else gains an order: a salesperson of their own documents, a manager
        # without Sales; nobody loses one: a manager who reads every order through
        # Inventory, an accountant
        self.assertFalse(orders.with_user(self.user_salesperson)._filtered_access("read"))
        self.assertFalse(orders.with_user(self.user_manager).has_access("read"))
        manager_stock = new_test_user(
            self.env,
            login="as_manager_stock",
            groups="aftersales.group_aftersales_manager,stock.group_stock_user",
        )
        everything = orders | self.order
        for user in (manager_stock, self.user_accountant):
            self.assertEqual(everything.with_user(user)._filtered_access("read"), everything)
        # a technician with Sales: only the orders he may open
        technician = new_test_user(
            self.env,
            login="as_technician_sales",
            groups="aftersales.group_aftersales_user,sales_team.group_sale_salesman",
        )
        self.team.member_ids = [Command.link(technician.id)]
        client = WebClient(self.env(user=technician))
        for intervention in billed:
            self.assertEqual(client.open_form(intervention)[0]["sale_order_count"], 0)
        billed[:1].sudo().sale_order_ids.user_id = technician
        self.assertEqual(client.open_form(billed[0])[0]["sale_order_count"], 1)
        self.assertIn("sale.order", self._read_models(client))

    def _view_fields(self, model, node):
        """(model, node) of every field of an arch, those of the x2many sub-views it
        embeds with their own model."""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag != "field":
                yield from self._view_fields(model, child)
                continue
            yield model, child
            field = model._fields.get(child.get("name"))
            if field is not None and field.type in ("one2many", "many2many"):
                for subview in child:
                    if subview.tag in SUBVIEW_TAGS:
                        yield from self._view_fields(self.env[field.comodel_name], subview)

    def test_serial_links_open_the_registry_form(self):
        """Every link of the module's forms to a serial (each many2one and many2many on
        stock.lot, in the forms and in the lists they embed) names the registry form, as
        the ticket's does: Inventory's serial form, with its repair, sale and purchase
        buttons, is not for technicians and managers. In the module's own forms every
        field; in Odoo's forms that the module extends, the fields it adds."""
        links = []
        for view, names in self._module_forms().items():
            arch = view._get_combined_arch()
            for model, node in self._view_fields(self.env[view.model], arch):
                field = model._fields.get(node.get("name"))
                if (
                    field is None
                    or field.type not in ("many2one", "many2many")
                    or field.comodel_name != "stock.lot"
                    or (names is not None and node.get("name") not in names)
                ):
                    continue
                links.append(f"{view.xml_id}: {model._name}.{field.name}")
                context = get_dict_asts(node.get("context") or "{}")
                with self.subTest(link=links[-1]):
                    self.assertIn("form_view_ref", context)
                    self.assertEqual(context["form_view_ref"].value, REGISTRY_FORM)
        # the intervention's serial and serials, its materials and pick-ups, the
        # contract's covered serials, the ticket's serial
        self.assertGreaterEqual(len(links), 7, links)

    def test_accountant_opens_the_contract_behind_an_invoice(self):
        client = WebClient(self.env(user=self.user_accountant))
        values = client.open_form(self.invoice)[0]
        self.assertEqual(values["aftersales_contract_id"]["id"], self.contract.id)
        contract = self.env["aftersales.contract"].browse(values["aftersales_contract_id"]["id"])
        values = client.open_form(contract)[0]
        self.assertEqual(values["invoice_count"], len(self.contract.invoice_ids))
