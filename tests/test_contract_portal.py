from datetime import date

from odoo.http import Request
from odoo.tests import HttpCase, freeze_time, tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractPortal(AftersalesCase, HttpCase):
    """My Contracts: a customer sees the contracts of its commercial entity, no one else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            lines=[cls._fee_line(), cls._covered_line(cls._create_lot("AUR-PORTAL-1"))],
            renewal_type="proposal",
            reference="PO-BAR-77",
        )
        cls.other_contract = cls._create_contract(partner_id=cls.customer_other.id)
        cls.contract_b = cls.env["aftersales.contract"].create(
            {
                "partner_id": cls.customer_b.id,
                "company_id": cls.company_b.id,
                "date_start": date(2026, 1, 1),
                "line_ids": [cls._covered_line()],
            }
        )

    def test_list_shows_only_own_entity(self):
        self.authenticate("as_portal", "as_portal")
        response = self.url_open("/my/contracts")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.other_contract.name, response.text)
        self.assertNotIn(self.contract_b.name, response.text)
        home = self.url_open("/my/home?counters=1")
        self.assertEqual(home.status_code, 200)

    def test_counter(self):
        self.authenticate("as_portal", "as_portal")
        response = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["aftersales_contract_count"]}
        )
        self.assertEqual(response["aftersales_contract_count"], 1)

    def test_detail_and_pdf_of_own_contract(self):
        self.authenticate("as_portal", "as_portal")
        response = self.url_open(f"/my/contracts/{self.contract.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("PO-BAR-77", response.text)
        self.assertIn("AUR-PORTAL-1", response.text)
        self.assertIn("Full-service maintenance", response.text)
        pdf = self.url_open(f"/my/contracts/{self.contract.id}?report_type=pdf&download=true")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(self.contract.name, pdf.text)

    def test_other_customers_get_nothing(self):
        for login, contract in (
            ("as_portal_other", self.contract),
            ("as_portal", self.other_contract),
            ("as_portal", self.contract_b),
            ("as_portal_b", self.contract),
        ):
            with self.subTest(login=login, contract=contract.name):
                self.authenticate(login, login)
                for suffix in ("", "?report_type=pdf", "?report_type=html"):
                    response = self.url_open(
                        f"/my/contracts/{contract.id}{suffix}", allow_redirects=False
                    )
                    self.assertIn(response.status_code, (303, 403, 404))
                    self.assertNotIn(contract.name, response.text)
        self.authenticate(None, None)
        response = self.url_open(f"/my/contracts/{self.contract.id}", allow_redirects=False)
        self.assertIn(response.status_code, (303, 403, 404))
        response = self.url_open(
            f"/my/contracts/{self.contract.id}?access_token=not-the-token", allow_redirects=False
        )
        self.assertIn(response.status_code, (303, 403, 404))

    def test_access_token_opens_without_login(self):
        url = self.contract.get_portal_url()
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("AUR-PORTAL-1", response.text)

    def test_accept_renewal_proposal(self):
        with freeze_time("2026-10-05"):
            proposal = self.contract._renew(date(2026, 10, 5))
        self.assertEqual(proposal.state, "draft")
        url = f"/my/contracts/{proposal.id}/accept"
        # another customer, even with a valid session and CSRF token, changes nothing
        self.authenticate("as_portal_other", "as_portal_other")
        token = Request.csrf_token(self)
        response = self.url_open(url, data={"csrf_token": token}, allow_redirects=False)
        self.assertIn(response.status_code, (303, 403, 404))
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "draft")
        # the customer: GET is refused, POST without CSRF is refused, POST with it accepts
        self.authenticate("as_portal", "as_portal")
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 405)
        response = self.url_open(url, data={"csrf_token": "forged"}, allow_redirects=False)
        self.assertIn(response.status_code, (400, 403))
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "draft")
        page = self.url_open(f"/my/contracts/{proposal.id}").text
        self.assertIn("Accept Renewal", page)
        self.assertIn('name="csrf_token"', page)
        token = Request.csrf_token(self)
        response = self.url_open(url, data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "active")
        # an active contract cannot be "accepted" again
        self.assertNotIn("Accept Renewal", self.url_open(f"/my/contracts/{proposal.id}").text)


@tagged("post_install", "-at_install")
class TestContractReport(AftersalesCase):
    def test_pdf_report_renders_terms_and_equipment(self):
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(self._create_lot("AUR-PDF-1"))],
            renewal_type="tacit",
        )
        report = self.env.ref("aftersales.action_report_aftersales_contract")
        html = report._render_qweb_html(report.report_name, contract.ids)[0].decode()
        self.assertIn(contract.name, html)
        self.assertIn("AUR-PDF-1", html)
        self.assertIn("renews tacitly", html)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, contract.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
