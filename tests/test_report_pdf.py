import re

from odoo.tests import tagged
from odoo.tools.misc import formatLang

from .common.pdf import NO_BREAK_SPACES, PdfReportCase

SERVICE_REPORT = "aftersales.action_report_aftersales_intervention"
DDT_REPORT = "aftersales.action_report_aftersales_ddt"
CONTRACT_REPORT = "aftersales.action_report_aftersales_contract"
INVOICE_REPORT = "account.account_invoices"


@tagged("post_install", "-at_install")
class TestReportPdf(PdfReportCase):
    """What each document of the add-on says, read from the real PDF with pdftotext:
    every figure a person reads, on the row where it is read."""

    def assertRow(self, text, *cells):
        """``cells`` in this order on one line of the PDF's text."""
        pattern = r"\s+".join(re.escape(cell) for cell in cells)
        self.assertRegex(text, re.compile(rf"^.*{pattern}.*$", re.MULTILINE))

    def assertParties(self, text):
        for line in (
            "Caffè Tecnica S.r.l.",
            "Via Grumello 42",
            "Bergamo 24127",
            "VAT: IT03824160166",
            "Bar Centrale S.r.l.",
            "Piazza Vecchia 3",
            "VAT: IT01234567897",
        ):
            self.assertIn(line, text)

    # ------------------------------------------------------------------
    # The service report the customer signs
    # ------------------------------------------------------------------
    def test_service_report_is_what_happened(self):
        text = self._report_text(SERVICE_REPORT, self.intervention)
        self.assertIn(f"Service Report {self.intervention.name}", text)
        self.assertParties(text)
        self.assertIn("Tel.: +39 035 123456", text)
        self.assertIn("Via Colleoni 7", text, "the site")
        self.assertIn("06/03/2026 08:00 AM", text, "the start, in Rome's time")
        self.assertIn("Serial: AUR-0001", text)
        self.assertIn(f"Ticket: {self.ticket.name}", text)
        self.assertIn(f"Contract: {self.contract.name}", text)
        self.assertIn("Coverage: Contract", text)
        self.assertIn("Technicians: Tina Technician", text)
        self.assertIn("Replaced the heating element and the group gaskets.", text)
        # hours by kind: travel 08:00-09:00, work 09:00-11:30 and 17:00-18:30 (overtime)
        self.assertRow(text, "Work", "Normal", "02:30")
        self.assertRow(text, "Work", "Overtime", "01:30")
        self.assertRow(text, "Travel", "Normal", "01:00")
        # the kilometres the costing uses: the vehicle's odometer
        self.assertIn("Travel: 32 km (vehicle odometer 12,000 to 12,032).", text)
        # what was used, and what was taken away, each for what it is
        self.assertRow(text, "Group gasket 8.5 mm", "2.00 Units", "Used")
        self.assertRow(text, "Heating element 3 kW", "HE-001", "1.00 Units", "Used")
        self.assertRow(
            text,
            "Espresso machine Aurora 2GR",
            "AUR-0001",
            "1.00 Units",
            "Picked Up for Repair",
            "To WH/Repair Lab",
        )
        self.assertRow(
            text, "Espresso machine Aurora 2GR", "AUR-0003", "1.00 Units", "Scrapped on Site"
        )
        self.assertNotRegex(text, r"(?<![.\d])1 Units")
        # who signed, and when, in the report's time zone
        self.assertIn("Giulia Rossi, 06/03/2026 06:35 PM (Europe/Rome)", text)

    def test_service_report_prints_one_time_zone_whoever_renders_it(self):
        self.user_technician.tz = "America/New_York"
        report = self.env["ir.actions.report"].with_user(self.user_technician)
        html = report._render_qweb_html(SERVICE_REPORT, self.intervention.ids)[0].decode()
        self.assertIn("06/03/2026 08:00 AM", html)
        self.assertIn("06/03/2026 06:35 PM", html)
        self.assertIn("Europe/Rome", html)

    def test_service_report_prints_the_worksheet_km_without_a_vehicle(self):
        intervention = self.env["aftersales.intervention"].create(
            {"summary": "Check", "partner_id": self.customer.id, "travel_km": 42.5}
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(SERVICE_REPORT, intervention.ids)[0]
            .decode()
        )
        self.assertRegex(html, r"Travel:</strong>\s*<span[^>]*>42\.5</span>\s*km")
        self.assertNotIn("odometer", html)

    # ------------------------------------------------------------------
    # The delivery note of the parts used
    # ------------------------------------------------------------------
    def test_delivery_note(self):
        text = self._report_text(DDT_REPORT, self.delivery)
        self.assertIn("Delivery Note (DDT)", text)
        self.assertIn(f"No. {self.delivery.aftersales_ddt_number}", text)
        self.assertIn("Date: 06/03/2026", text)
        self.assertParties(text)
        self.assertRow(text, "Recipient", "Destination")
        self.assertIn("Via Colleoni 7", text)
        self.assertRow(text, "Sale", "Sender", "Cardboard box", "1", "1.50")
        self.assertRow(text, "Group gasket 8.5 mm", "2.00 Units")
        self.assertRow(text, "Heating element 3 kW", "HE-001", "1.00 Units")
        self.assertRow(text, "Sender's signature", "Carrier's signature", "Recipient's signature")

    # ------------------------------------------------------------------
    # The contract the customer signs
    # ------------------------------------------------------------------
    def test_contract(self):
        text = self._report_text(CONTRACT_REPORT, self.contract)
        self.assertIn(f"Service Contract {self.contract.name}", text)
        self.assertParties(text)
        self.assertIn("Company registry: BG-401288", text)
        self.assertIn("01/01/2026 - 12/31/2026", text)
        self.assertIn("Quarterly, In Advance", text)
        self.assertIn("PO-2026-117", text)
        self.assertRow(
            text, "Full-service maintenance", "2.00", "300.00", "IVA 22% (test)", "$ 600.00"
        )
        self.assertRow(text, "Total per period (untaxed)", "$ 600.00")
        self.assertRegex(
            text,
            r"Espresso machine Aurora 2GR\s+AUR-0001\s+01/01/2026\s+100%\s+100%\s+100%\s+100%"
            r"\s+0\s+8\s?h\s+24\s?h",
        )
        self.assertIn("renews tacitly for 12 months", text)
        self.assertIn("by 10/02/2026", text)
        self.assertIn("by 75% of the change of the ISTAT FOI index", text)
        self.assertIn("Spare parts are guaranteed for 12 months.", text)
        self.assertIn("For the provider, Caffè Tecnica S.r.l.", text)
        self.assertIn("For the customer, Bar Centrale S.r.l.", text)

    # ------------------------------------------------------------------
    # The invoice of the visit, with its delivery note
    # ------------------------------------------------------------------
    def test_invoice_lists_its_delivery_notes(self):
        text = self._report_text(INVOICE_REPORT, self.invoice)
        self.assertIn(f"Invoice {self.invoice.name}", text)
        self.assertIn("Bar Centrale S.r.l.", text)
        self.assertIn(
            f"Delivery notes (DDT): {self.delivery.aftersales_ddt_number} of 06/03/2026", text
        )
        self.assertRow(text, "1.00 Units", "50.00", "0.00", "$ 50.00")
        self.assertRow(text, "2.00 Units", "40.00", "50.00", "$ 40.00")
        self.assertRow(text, "2.00 Units", "15.00", "0.00", "$ 30.00")
        self.assertRow(text, "Untaxed Amount", "$ 135.00")
        invoice = self.invoice
        total = formatLang(self.env, invoice.amount_total, currency_obj=invoice.currency_id)
        self.assertRow(text, "Total", total.translate(NO_BREAK_SPACES))
