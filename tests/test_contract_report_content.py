import re

from lxml import html as lxml_html

from odoo.tests import tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractReportContent(AftersalesCase):
    """What the contract PDF says, read from its body: the part that every build of
    wkhtmltopdf prints (the Debian one drops the layout's header and footer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Caffè Tecnica S.r.l.",
                "street": "Via Grumello 42",
                "city": "Bergamo",
                "zip": "24127",
                "vat": "IT03824160166",
                "company_registry": "BG-401288",
            }
        )
        cls.customer.vat = "IT01234567897"
        cls.contract = cls._create_contract(
            lines=[
                cls._fee_line(),
                cls._covered_line(
                    cls._create_lot("AUR-PDF-7"), response_hours=8.0, resolution_hours=40.0
                ),
            ],
            renewal_type="tacit",
            adjustment_method="index",
            index_id=cls.env["aftersales.price.index"].create({"name": "ISTAT FOI"}).id,
            index_share=75.0,
        )

    def _body(self, contract):
        report = self.env.ref("aftersales.action_report_aftersales_contract")
        html = report._render_qweb_html(report.report_name, contract.ids)[0].decode()
        [page] = lxml_html.fromstring(html).find_class("page")
        # collapse white space, but keep the no-break spaces the content puts in
        return re.sub(r"[ \t\r\n]+", " ", page.text_content()).strip()

    def test_body_names_both_parties(self):
        body = self._body(self.contract)
        for text in (
            "Service provider",
            "Caffè Tecnica S.r.l.",
            "Via Grumello 42",
            "IT03824160166",
            "BG-401288",
            "Customer",
            "Bar Centrale S.r.l.",
            "IT01234567897",
            "For the provider, Caffè Tecnica S.r.l.",
            "For the customer, Bar Centrale S.r.l.",
        ):
            self.assertIn(text, body)

    def test_index_clause_prints_the_share_applied(self):
        body = self._body(self.contract)
        self.assertIn("by 75% of the change of the ISTAT FOI index", body)

    def test_service_levels_are_durations(self):
        body = self._body(self.contract)
        self.assertIn("8\N{NO-BREAK SPACE}h", body)
        self.assertIn("40\N{NO-BREAK SPACE}h", body)
        self.assertNotIn("08:00", body)
        self.assertNotIn("40:00", body)
