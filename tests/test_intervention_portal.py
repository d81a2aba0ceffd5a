from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common.intervention import AftersalesInterventionCase
from .test_intervention_report import SIGNATURE


@tagged("post_install", "-at_install")
class TestInterventionPortal(AftersalesInterventionCase, HttpCase):
    """My Interventions: a customer sees and signs its entity's visits, no one else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._create_intervention(lot_id=cls.lot.id, summary="Boiler descaling")
        cls.mine.action_start()
        cls.other = cls._create_intervention(
            cls.employee_2, partner_id=cls.customer_other.id, summary="Grinder check"
        )
        cls.other.action_start()
        cls.cancelled = cls._create_intervention(summary="Called off")
        cls.cancelled.action_cancel()

    def test_list_shows_only_own_entity(self):
        self.authenticate("as_portal", "as_portal")
        page = self.url_open("/my/interventions").text
        self.assertIn(self.mine.name, page)
        self.assertNotIn(self.other.name, page)
        self.assertNotIn(self.cancelled.name, page)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["aftersales_intervention_count"]}
        )
        self.assertEqual(counters["aftersales_intervention_count"], 1)

    def test_detail_report_and_signature(self):
        self.authenticate("as_portal", "as_portal")
        page = self.url_open(f"/my/interventions/{self.mine.id}").text
        self.assertIn("Boiler descaling", page)
        self.assertIn("Sign the Report", page)
        self.assertIn('name="csrf_token"', page)
        pdf = self.url_open(f"/my/interventions/{self.mine.id}?report_type=pdf&download=true")
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        cron = self.env.ref("aftersales.ir_cron_aftersales_signed_report")
        Report = type(self.env["ir.actions.report"])
        with patch.object(Report, "_render_qweb_pdf", side_effect=AssertionError("in request")):
            result = self.make_jsonrpc_request(
                f"/my/interventions/{self.mine.id}/sign",
                {"name": "Giulia Rossi", "signature": SIGNATURE},
            )
        self.assertTrue(result.get("force_refresh"), result)
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.signed_by, "Giulia Rossi")
        self.assertTrue(self.mine.signed_on)
        # the signature is recorded at once, the signed PDF is queued for the cron job
        self.assertIn("Service report signed by Giulia Rossi", self.mine.message_ids[0].body)
        self.assertFalse(self.mine.message_ids.attachment_ids)
        self.assertTrue(self.mine.signed_report_pending)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        page = self.url_open(result["redirect_url"]).text
        self.assertIn("will follow in a few minutes", page)
        self.assertIn("is being prepared", page)
        self._run_cron("aftersales.ir_cron_aftersales_signed_report")
        self.mine.invalidate_recordset()
        self.assertFalse(self.mine.signed_report_pending)
        [attachment] = self.mine.message_ids.attachment_ids
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertIn(self.mine.name.replace("/", "-"), attachment.name)
        self.assertIn(self.customer, self.mine.message_ids[0].notified_partner_ids)
        # signed once
        again = self.make_jsonrpc_request(
            f"/my/interventions/{self.mine.id}/sign", {"name": "Someone", "signature": SIGNATURE}
        )
        self.assertIn("error", again)
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.signed_by, "Giulia Rossi")

    def test_other_customers_cannot_see_or_sign(self):
        for login in ("as_portal_other", "as_portal_b"):
            self.authenticate(login, login)
            response = self.url_open(f"/my/interventions/{self.mine.id}", allow_redirects=False)
            self.assertEqual(response.status_code, 303, login)
            pdf = self.url_open(
                f"/my/interventions/{self.mine.id}?report_type=pdf", allow_redirects=False
            )
            self.assertEqual(pdf.status_code, 303, login)
            result = self.make_jsonrpc_request(
                f"/my/interventions/{self.mine.id}/sign",
                {"name": "Intruder", "signature": SIGNATURE},
            )
            self.assertIn("error", result)
        self.mine.invalidate_recordset()
        self.assertFalse(self.mine.signature)

    def test_sign_needs_the_token_without_login(self):
        url = f"/my/interventions/{self.mine.id}/sign"
        self.assertIn(
            "error", self.make_jsonrpc_request(url, {"name": "X", "signature": SIGNATURE})
        )
        token = self.mine._portal_ensure_token()
        result = self.make_jsonrpc_request(
            f"{url}?access_token={token}", {"name": "Giulia Rossi", "signature": SIGNATURE}
        )
        self.assertTrue(result.get("force_refresh"), result)

    def test_sign_is_not_a_form_post(self):
        """A cross-site form cannot post JSON: a plain form post is refused."""
        self.authenticate("as_portal", "as_portal")
        response = self.url_open(
            f"/my/interventions/{self.mine.id}/sign",
            data={"name": "Forged", "signature": SIGNATURE},
            allow_redirects=False,
        )
        self.assertNotEqual(response.status_code, 200)
        self.mine.invalidate_recordset()
        self.assertFalse(self.mine.signature)

    def test_sign_with_a_name_too_long_is_refused_in_words(self):
        self.authenticate("as_portal", "as_portal")
        result = self.make_jsonrpc_request(
            f"/my/interventions/{self.mine.id}/sign",
            {"name": "G" * 100_000, "signature": SIGNATURE},
        )
        self.assertIn("too long to be printed", result["error"])
        self.mine.invalidate_recordset()
        self.assertFalse(self.mine.signature)
        self.assertFalse(self.mine.signed_report_pending)
