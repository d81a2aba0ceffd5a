import json
from datetime import date, datetime, timedelta

from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, freeze_time, tagged
from odoo.tools import mute_logger

from .common.base import AftersalesHelpdeskCase

# Values a technician tried to force over JSON-RPC (issue 7, point 3), and more of the
# same class: every field the help desk computes or stamps itself.
FORCED_TICKET_VALUES = {
    "sla_status": "met",
    "coverage_auto": "contract",
    "coverage_kind": "contract",
    "is_coverage_overridden": True,
    "sla_response_deadline": "2030-01-01 00:00:00",
    "sla_resolution_deadline": "2030-01-01 00:00:00",
    "sla_response_risk_date": "2030-01-01 00:00:00",
    "sla_resolution_risk_date": "2030-01-01 00:00:00",
    "sla_paused_hours": 500.0,
    "sla_paused_since": "2026-03-02 09:00:00",
    "date_open": "2030-01-01 00:00:00",
    "date_closed": "2026-03-02 09:00:00",
    "date_first_reply": "2026-03-02 09:00:00",
    "date_last_stage_update": "2026-03-02 09:00:00",
    "sla_response_hours": 999.0,
    "sla_resolution_hours": 999.0,
    "name": "HD/FORGED",
}


@tagged("post_install", "-at_install")
class TestPrivileges(AftersalesHelpdeskCase, HttpCase):
    """Privileges behind actions, attacked over real HTTP: a portal action that changes
    a record needs its customer or the back-office right, and fields the system
    computes are written by the system only, whatever the JSON-RPC caller sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(renewal_type="proposal")
        with freeze_time("2026-10-05"):
            cls.proposal = cls.contract._renew(date(2026, 10, 5))
        with freeze_time("2026-03-02 09:00:00"):
            cls.ticket = cls._create_ticket(subject="Pump noise", lot_id=cls.lot.id)
        cls.ticket_snapshot = cls.ticket.read(list(FORCED_TICKET_VALUES))[0]

    def _login(self, login):
        self.authenticate(login, login)

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _assert_refused(self, model, method, args, kwargs=None):
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self._call_kw(model, method, args, kwargs)
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")

    def _assert_ticket_unchanged(self):
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.read(list(FORCED_TICKET_VALUES))[0], self.ticket_snapshot)

    # ------------------------------------------------------------------
    # Renewal acceptance and ticket changes from the portal
    # ------------------------------------------------------------------
    def _post_accept(self):
        url = f"/my/contracts/{self.proposal.id}/accept"
        return self.url_open(
            url, data={"csrf_token": Request.csrf_token(self)}, allow_redirects=False
        )

    def test_technician_cannot_accept_a_renewal_he_can_only_read(self):
        self._login("as_technician")
        self.assertTrue(self.proposal.with_user(self.user_technician).has_access("read"))
        page = self.url_open(f"/my/contracts/{self.proposal.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Accept Renewal", page.text)
        response = self._post_accept()
        self.assertEqual(response.status_code, 403)
        self.proposal.invalidate_recordset()
        self.assertEqual(self.proposal.state, "draft")
        self.assertEqual(self.contract.state, "active")
        self.assertFalse(self.proposal.message_ids.filtered(lambda m: "accepted" in m.body))

    def test_customer_of_another_company_cannot_accept(self):
        self._login("as_portal_b")
        response = self._post_accept()
        self.assertIn(response.status_code, (303, 403, 404))
        self.proposal.invalidate_recordset()
        self.assertEqual(self.proposal.state, "draft")

    def test_manager_may_accept_as_in_the_back_office(self):
        self._login("as_manager")
        self.assertEqual(self._post_accept().status_code, 303)
        self.proposal.invalidate_recordset()
        self.assertEqual(self.proposal.state, "active")

    def test_ticket_changes_need_the_customer_or_the_back_office_right(self):
        close = f"/my/tickets/{self.ticket.id}/close"
        for login in ("as_portal_b", "as_portal_other", "as_technician_other"):
            with self.subTest(login=login):
                self._login(login)
                token = Request.csrf_token(self)
                response = self.url_open(close, data={"csrf_token": token}, allow_redirects=False)
                self.assertIn(response.status_code, (403, 404))
                self.ticket.invalidate_recordset()
                self.assertFalse(self.ticket.is_closed)
        # a technician of the team may close it in the back office, so here too
        self._login("as_technician")
        response = self.url_open(
            close, data={"csrf_token": Request.csrf_token(self)}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.ticket.invalidate_recordset()
        self.assertTrue(self.ticket.is_closed)

    # ------------------------------------------------------------------
    # System fields over JSON-RPC
    # ------------------------------------------------------------------
    def test_technician_cannot_write_system_fields_over_json_rpc(self):
        self._login("as_technician")
        # he may work the ticket...
        self._call_kw("aftersales.ticket", "write", [self.ticket.ids, {"subject": "Pump noise!"}])
        # ...but not one of the fields the system computes, one at a time or together
        for fname, value in FORCED_TICKET_VALUES.items():
            with self.subTest(field=fname):
                self._assert_refused(
                    "aftersales.ticket", "write", [self.ticket.ids, {fname: value}]
                )
        self._assert_refused("aftersales.ticket", "write", [self.ticket.ids, FORCED_TICKET_VALUES])
        self._assert_ticket_unchanged()
        # nor create a ticket that says it is already met
        self._assert_refused(
            "aftersales.ticket",
            "create",
            [
                {
                    "subject": "Forged",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "sla_status": "met",
                    "sla_resolution_deadline": "2030-01-01 00:00:00",
                }
            ],
        )
        self.assertFalse(self.env["aftersales.ticket"].search([("subject", "=", "Forged")]))

    def test_technician_cannot_write_system_fields_over_json_2(self):
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_technician)
            ._generate(scope="rpc", name="test", expiration_date=datetime.now() + timedelta(1))
        )
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/json/2/aftersales.ticket/write",
                data=json.dumps({"ids": self.ticket.ids, "vals": {"sla_status": "met"}}),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
            )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(response.json()["name"], "odoo.exceptions.AccessError")
        self._assert_ticket_unchanged()

    def test_customer_of_another_company_cannot_write_over_json_rpc(self):
        self._login("as_portal_b")
        self._assert_refused("aftersales.ticket", "write", [self.ticket.ids, {"subject": "x"}])
        self._assert_refused("aftersales.ticket", "write", [self.ticket.ids, {"sla_status": "met"}])
        self._assert_ticket_unchanged()
        self._assert_refused(
            "aftersales.contract", "write", [self.proposal.ids, {"state": "active"}]
        )
        self.proposal.invalidate_recordset()
        self.assertEqual(self.proposal.state, "draft")

    def test_contract_system_fields_are_refused_to_writers_of_contracts(self):
        self._login("as_manager")
        line = self.proposal.line_ids[:1]
        # writing the line's copy of the state would activate the contract through it
        self._assert_refused(
            "aftersales.contract.line", "write", [line.ids, {"contract_state": "active"}]
        )
        self._assert_refused(
            "aftersales.contract.line", "write", [line.ids, {"price_subtotal": 1.0}]
        )
        self._assert_refused(
            "aftersales.contract", "write", [self.proposal.ids, {"amount_untaxed": 1.0}]
        )
        self._assert_refused(
            "aftersales.contract", "write", [self.proposal.ids, {"next_invoice_date": "2020-01-01"}]
        )
        self.proposal.invalidate_recordset()
        self.assertEqual(self.proposal.state, "draft")
        self.assertEqual(self.proposal.amount_untaxed, 300.0)

    def test_manager_changes_the_sla_through_the_tracked_targets(self):
        self._login("as_manager")
        self._assert_refused("aftersales.ticket", "write", [self.ticket.ids, {"sla_status": "met"}])
        before = self.ticket.sla_resolution_deadline
        self._call_kw(
            "aftersales.ticket", "write", [self.ticket.ids, {"sla_resolution_hours": 48.0}]
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.sla_resolution_hours, 48.0)
        self.assertGreater(self.ticket.sla_resolution_deadline, before)
        tracked = self.ticket.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("sla_resolution_hours", tracked)
