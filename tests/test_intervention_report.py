from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common.intervention import AftersalesInterventionCase

# a 1x1 PNG
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestInterventionReport(AftersalesInterventionCase):
    """The customer's signature on the device, the service report and its e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"vat": "IT12345670017", "street": "Via Roma 1", "city": "Milano"})
        cls.ticket = cls._create_ticket(lot_id=cls.lot.id)
        cls.intervention = cls._create_intervention(
            ticket_id=cls.ticket.id,
            lot_id=cls.lot.id,
            travel_km=42,
            per_diem_days=1,
            work_done="<p>Descaled the boiler, replaced the group gasket.</p>",
        )
        cls.env["aftersales.intervention.time"].create(
            [
                {
                    "intervention_id": cls.intervention.id,
                    "employee_id": cls.employee.id,
                    "time_type": "travel",
                    "date_start": datetime(2026, 6, 3, 6, 0),
                    "date_end": datetime(2026, 6, 3, 7, 0),
                },
                {
                    "intervention_id": cls.intervention.id,
                    "employee_id": cls.employee.id,
                    "date_start": datetime(2026, 6, 3, 14, 0),
                    "date_end": datetime(2026, 6, 3, 16, 30),
                },
            ]
        )

    def test_signature_required_by_the_team(self):
        self.team.signature_required = True
        intervention = self.intervention.with_user(self.user_technician)
        intervention.action_start()
        with self.assertRaises(UserError):
            intervention.action_done()
        self.assertEqual(intervention.state, "in_progress")
        with Form(intervention) as form:
            form.signed_by = "Giulia Rossi"
            form.signature = SIGNATURE
        self.assertTrue(intervention.signed_on)
        intervention.action_done()
        self.assertEqual(intervention.state, "done")

    def test_no_signature_needed_otherwise(self):
        self.intervention.action_start()
        self.intervention.action_done()
        self.assertEqual(self.intervention.state, "done")

    def test_report_names_both_parties_and_the_facts(self):
        self.intervention.write({"signed_by": "Giulia Rossi", "signature": SIGNATURE})
        html = str(
            self.env["ir.actions.report"]._render_qweb_html(
                "aftersales.action_report_aftersales_intervention", self.intervention.ids
            )[0]
        )
        for text in (
            self.company.name,
            "IT12345670017",
            self.customer.name,
            self.lot.name,
            self.ticket.name,
            "Descaled the boiler",
            "Travel",
            "Overtime",
            "42",
            "Giulia Rossi",
            "data:image/png;base64",
        ):
            self.assertIn(text, html)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "aftersales.action_report_aftersales_intervention", self.intervention.ids
            )
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_time_rows_by_kind(self):
        # travel 08:00-09:00 CEST: normal; work 16:00-18:30: 1 h normal, 1 h 30 overtime
        self.assertEqual(
            [(row[0], row[1], round(row[2] * 60)) for row in self.intervention._report_time_rows()],
            [("Work", "Normal", 60), ("Work", "Overtime", 90), ("Travel", "Normal", 60)],
        )

    def test_send_report_from_the_chatter(self):
        action = self.intervention.with_user(self.user_technician).action_send_report()
        composer = Form(
            self.env[action["res_model"]]
            .with_user(self.user_technician)
            .with_context(**action["context"])
        )
        composer.save().action_send_mail()
        message = self.intervention.message_ids[0]
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn(self.intervention.name.replace("/", "-"), message.attachment_ids.name)
