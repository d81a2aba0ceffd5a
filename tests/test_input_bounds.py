from datetime import datetime
from unittest.mock import patch

import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common.intervention import AftersalesInterventionCase
from .test_intervention_report import SIGNATURE


@tagged("post_install", "-at_install")
class TestInputBounds(AftersalesInterventionCase):
    """The documented limits: free text printed on a PDF, a time entry's dates and
    length (the company's setting), and the signed report rendered by the cron job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.intervention = cls._create_intervention()
        cls.intervention.action_start()

    # ------------------------------------------------------------------
    # Free text printed on a PDF
    # ------------------------------------------------------------------
    def test_worksheet_text_limit_is_on_the_text(self):
        intervention = self.intervention.with_user(self.user_technician)
        # 20,000 characters of text pass, formatting aside
        intervention.work_done = "<p><strong>" + "x" * 10_000 + "</strong></p><p>" + "y" * 10_000
        with self.assertRaisesRegex(ValidationError, "20,001 characters, the limit is 20,000"):
            intervention.work_done = "<p>" + "x" * 20_001 + "</p>"
        # markup without text is bounded too (ten times the text)
        with self.assertRaisesRegex(ValidationError, "limit is 200,000 characters of formatted"):
            intervention.work_done = "<p>" + "<b>x</b>" * 30_000 + "</p>"

    def test_contract_terms_and_references(self):
        contract = self._create_contract(activate=False)
        contract.note = "<p>" + "t" * 60_000 + "</p>"
        with self.assertRaisesRegex(ValidationError, "Terms and Conditions of .* too long"):
            contract.note = "<p>" + "t" * 60_001 + "</p>"
        with self.assertRaisesRegex(ValidationError, "Customer Reference of .* too long"):
            contract.reference = "PO-" + "9" * 200
        with self.assertRaisesRegex(ValidationError, "Description of .* too long"):
            contract.line_ids.name = "x" * 5_001

    # ------------------------------------------------------------------
    # Time entries
    # ------------------------------------------------------------------
    def _entry(self, start, end):
        return self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": self.intervention.id,
                "employee_id": self.employee.id,
                "date_start": start,
                "date_end": end,
            }
        )

    def test_time_entry_lasts_what_the_company_allows(self):
        self.assertEqual(self.company.aftersales_time_entry_max_hours, 24.0)
        night = self._entry(datetime(2026, 6, 8, 6, 0), datetime(2026, 6, 9, 6, 0))
        self.assertEqual(night.hours, 24.0)
        with (
            self.assertRaisesRegex(ValidationError, "lasts at most 24 hours .* lasts 30.0 hours"),
            self.env.cr.savepoint(),
        ):
            self._entry(datetime(2026, 6, 10, 6, 0), datetime(2026, 6, 11, 12, 0))
        with Form(self.env["res.config.settings"]) as settings:
            settings.aftersales_time_entry_max_hours = 36.0
        self.assertEqual(self.company.aftersales_time_entry_max_hours, 36.0)
        long_job = self._entry(datetime(2026, 6, 10, 6, 0), datetime(2026, 6, 11, 12, 0))
        self.assertEqual(long_job.hours, 30.0)
        self.assertEqual(len(set(long_job.timesheet_ids.mapped("date"))), 2, "two days of lines")
        # a week at most, whatever a company sets
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.company.aftersales_time_entry_max_hours = 169.0
            self.company.flush_recordset()

    def test_a_forgotten_timer_is_not_stopped_days_later(self):
        self.env["aftersales.intervention.time"].create(
            {
                "intervention_id": self.intervention.id,
                "employee_id": self.employee.id,
                "date_start": datetime(2026, 6, 1, 7, 0),
            }
        )
        intervention = self.intervention.with_user(self.user_technician)
        with (
            patch.object(type(intervention), "_now_minute", return_value=datetime(2026, 6, 4, 7)),
            self.assertRaisesRegex(ValidationError, "Correct its start or end"),
        ):
            intervention.action_stop()

    # ------------------------------------------------------------------
    # The signed report, rendered by the cron job
    # ------------------------------------------------------------------
    def test_signed_reports_are_posted_one_by_one(self):
        other = self._create_intervention(summary="Second visit")
        other.action_start()
        signed = self.intervention | other
        signed.write({"signed_by": "Giulia Rossi", "signature": SIGNATURE})
        for intervention in signed:
            intervention._queue_signed_report()
        self.assertEqual(signed.mapped("signed_report_pending"), [True, True])
        Report = type(self.env["ir.actions.report"])
        render = Report._render_qweb_pdf

        def render_but_the_first(report, report_ref, res_ids=None, data=None):
            if res_ids == self.intervention.ids:
                raise ValueError("wkhtmltopdf failed")
            return render(report, report_ref, res_ids, data)

        with (
            patch.object(Report, "_render_qweb_pdf", render_but_the_first),
            mute_logger("odoo.addons.aftersales.models.aftersales_intervention_worksheet"),
        ):
            self._run_cron("aftersales.ir_cron_aftersales_signed_report")
        self.assertTrue(self.intervention.signed_report_pending, "kept for the next run")
        self.assertFalse(self.intervention.message_ids.attachment_ids)
        self.assertFalse(other.signed_report_pending)
        self.assertEqual(other.message_ids[0].attachment_ids.mimetype, "application/pdf")
        # the next run posts it
        self._run_cron("aftersales.ir_cron_aftersales_signed_report")
        self.assertFalse(self.intervention.signed_report_pending)
        self.assertEqual(len(self.intervention.message_ids.attachment_ids), 1)
