import shutil
import subprocess
import tempfile
from datetime import date, datetime

from odoo.fields import Command
from odoo.tests import freeze_time

from .billing import BillingCase

NO_BREAK_SPACES = str.maketrans({"\N{NO-BREAK SPACE}": " ", "\N{NARROW NO-BREAK SPACE}": " "})
# a 1x1 PNG
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


class PdfReportCase(BillingCase):
    """A dealer's real documents of one visit, to render as PDFs and read back.

    Caffè Tecnica S.r.l. services Bar Centrale S.r.l. (a delivery address in Bergamo
    Alta) under a contract covering the espresso machine AUR-0001. On Wednesday
    3 June 2026 (Europe/Rome) Tina drives the van FB123XY from 12,000 to 12,032 km,
    travels 08:00-09:00, works 09:00-11:30 and 17:00-18:30 (overtime), uses 2 gaskets
    and the heating element HE-001, takes AUR-0001 to the lab for repair and scraps
    the old machine AUR-0003 on site; Giulia Rossi signs at 18:35. The used parts leave
    on a delivery note (DDT), and the June invoice lists it.

    ``realistic_records`` maps each model that a report of the add-on prints to its
    record of this world: a report of a model missing from it fails the class test
    until a realistic record is added here.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_parties()
        cls._setup_contract()
        cls._setup_intervention()
        cls._setup_invoice()
        cls.realistic_records = {
            "aftersales.intervention": cls.intervention,
            "aftersales.contract": cls.contract,
            "stock.picking": cls.delivery,
            "account.move": cls.invoice,
        }

    @classmethod
    def _setup_parties(cls):
        cls.company.write(
            {
                "name": "Caffè Tecnica S.r.l.",
                "street": "Via Grumello 42",
                "city": "Bergamo",
                "zip": "24127",
                "vat": "IT03824160166",
                "company_registry": "BG-401288",
                "phone": "+39 035 123456",
            }
        )
        cls.company.resource_calendar_id.tz = "Europe/Rome"
        cls.customer.write(
            {
                "street": "Piazza Vecchia 3",
                "city": "Bergamo",
                "zip": "24129",
                "vat": "IT01234567897",
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Bar Centrale Città Alta",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "Via Colleoni 7",
                "city": "Bergamo Alta",
                "zip": "24129",
            }
        )
        cls.employee.write(
            {
                "tz": "Europe/Rome",
                "resource_calendar_id": cls.company.resource_calendar_id.id,
            }
        )
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Fiat"})
        model = cls.env["fleet.vehicle.model"].create({"name": "Doblò", "brand_id": brand.id})
        cls.vehicle = cls.env["fleet.vehicle"].create(
            {
                "model_id": model.id,
                "license_plate": "FB123XY",
                "aftersales_location_id": cls.van.id,
            }
        )

    @classmethod
    def _setup_contract(cls):
        cls.index = cls.env["aftersales.price.index"].create({"name": "ISTAT FOI"})
        cls.contract = cls._create_contract(
            lines=[
                cls._fee_line(price=300.0, qty=2.0),
                cls._covered_line(cls.lot, response_hours=8.0, resolution_hours=24.0),
            ],
            reference="PO-2026-117",
            renewal_type="tacit",
            adjustment_method="index",
            index_id=cls.index.id,
            index_share=75.0,
            note="<p>Spare parts are guaranteed for 12 months.</p>",
        )

    @classmethod
    def _setup_intervention(cls):
        cls.lot_scrapped = cls._create_lot(
            "AUR-0003",
            aftersales_customer_id=cls.customer.id,
            aftersales_delivery_date=date(2019, 5, 1),
        )
        # the call, opened once the contract covers the machine
        cls.ticket = cls.env["aftersales.ticket"].create(
            {
                "subject": "Machine does not heat",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "lot_id": cls.lot.id,
                "user_id": cls.user_technician.id,
            }
        )
        with freeze_time("2026-06-03 06:00:00"):
            cls.intervention = cls.env["aftersales.intervention"].create(
                {
                    "summary": "Machine does not heat",
                    "partner_id": cls.customer.id,
                    "site_partner_id": cls.site.id,
                    "ticket_id": cls.ticket.id,
                    "lot_id": cls.lot.id,
                    "employee_ids": [Command.set(cls.employee.ids)],
                    "vehicle_id": cls.vehicle.id,
                    "odometer_start": 12000.0,
                    "odometer_end": 12032.0,
                    "work_done": "<p>Replaced the heating element and the group gaskets.</p>",
                    "material_move_ids": [
                        cls._move("used", cls.gasket, 2.0),
                        cls._move("used", cls.element, 1.0, cls.element_lots[0]),
                    ],
                    "pickup_move_ids": [
                        cls._move("pickup", cls.machine, 1.0, cls.lot),
                        cls._move("scrap", cls.machine, 1.0, cls.lot_scrapped),
                    ],
                }
            )
            cls.intervention.action_start()
        cls.env["aftersales.intervention.time"].create(
            [
                {
                    "intervention_id": cls.intervention.id,
                    "employee_id": cls.employee.id,
                    "time_type": time_type,
                    "date_start": start,
                    "date_end": end,
                }
                for time_type, start, end in (
                    ("travel", datetime(2026, 6, 3, 6, 0), datetime(2026, 6, 3, 7, 0)),
                    ("work", datetime(2026, 6, 3, 7, 0), datetime(2026, 6, 3, 9, 30)),
                    ("work", datetime(2026, 6, 3, 15, 0), datetime(2026, 6, 3, 16, 30)),
                )
            ]
        )
        with freeze_time("2026-06-03 16:35:00"):
            cls.intervention.write({"signed_by": "Giulia Rossi", "signature": SIGNATURE})
        with freeze_time("2026-06-03 16:40:00"):
            cls.intervention.action_done()
        cls.delivery = cls.intervention.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
        )
        cls.delivery.write(
            {"aftersales_goods_appearance": "Cardboard box", "aftersales_gross_weight": 1.5}
        )

    @classmethod
    def _move(cls, line_type, product, qty, lot=None):
        return Command.create(
            {
                "aftersales_line_type": line_type,
                "product_id": product.id,
                "product_uom_qty": qty,
                "aftersales_lot_id": lot.id if lot else False,
            }
        )

    @classmethod
    def _setup_invoice(cls):
        """The June invoice: call-out 50.00, 2 h of labour at 40.00 half covered by the
        contract, travel 25.00 fully covered, the parts used at 15.00 each."""
        cls.intervention.charge_ids.unlink()
        Charge = cls.env["aftersales.intervention.charge"]
        vals_list = [
            cls._charge_vals("callout", cls.callout_product, 1.0, 50.0, 0.0),
            cls._charge_vals("labour", cls.labour_product, 2.0, 40.0, 50.0),
            cls._charge_vals("travel", cls.travel_product, 1.0, 25.0, 100.0),
        ]
        for move in cls.intervention.material_move_ids:
            vals = cls._charge_vals("material", move.product_id, move.quantity, 15.0, 0.0)
            vals_list.append(dict(vals, stock_move_id=move.id))
        Charge.create(vals_list)
        cls.invoice = cls.intervention._invoice_due(by_month=True)
        cls.invoice.action_post()

    @classmethod
    def _charge_vals(cls, kind, product, qty, price, covered):
        return {
            "intervention_id": cls.intervention.id,
            "kind": kind,
            "name": product.name,
            "product_id": product.id,
            "quantity": qty,
            "price_unit": price,
            "coverage_percent": covered,
            "coverage_kind": "contract" if covered else "customer",
        }

    # ------------------------------------------------------------------
    # Reading a PDF back
    # ------------------------------------------------------------------
    def _render_pdf(self, report_ref, records):
        """The PDF that the report gives for ``records``, rendered by wkhtmltopdf."""
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_ref, records.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf

    def _pdf_text(self, pdf):
        """The text of ``pdf``, laid out as on the page (``pdftotext -layout``), its
        no-break spaces read as spaces."""
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            return subprocess.run(
                ["pdftotext", "-layout", "-enc", "UTF-8", file.name, "-"],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.translate(NO_BREAK_SPACES)

    def _report_text(self, report_ref, records):
        return self._pdf_text(self._render_pdf(report_ref, records))
