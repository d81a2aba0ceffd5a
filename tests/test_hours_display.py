from lxml import etree

from odoo.tests import tagged

from .common.base import AftersalesCase

HOURS_FIELDS = {"response_hours", "resolution_hours", "sla_response_hours", "sla_resolution_hours"}


@tagged("post_install", "-at_install")
class TestHoursDisplay(AftersalesCase):
    """Service levels are durations in working hours ("8 h"), never clock times
    ("08:00") that read like a time of day."""

    def test_qweb_converter_in_the_reader_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        Hours = self.env["ir.qweb.field.aftersales_hours"]
        cases = {8.0: "8 h", 40.0: "40 h", 1.5: "1.5 h", 0.25: "0.25 h", 1250.0: "1,250 h"}
        for value, text in cases.items():
            self.assertEqual(
                Hours.value_to_html(value, {}), text.replace(" ", "\N{NO-BREAK SPACE}")
            )
        italian = Hours.with_context(lang="it_IT")
        self.assertEqual(italian.value_to_html(1.5, {}), "1,5\N{NO-BREAK SPACE}h")
        self.assertEqual(italian.value_to_html(1250.0, {}), "1.250\N{NO-BREAK SPACE}h")

    def test_no_view_shows_hours_as_a_clock(self):
        """Every view of the module on a model with service-level hours."""
        for model in (
            "aftersales.contract",
            "aftersales.contract.line",
            "aftersales.contract.template",
            "aftersales.team",
            "aftersales.ticket",
            "stock.lot",
        ):
            views = self.env["ir.ui.view"].search(
                [("model", "=", model), ("type", "in", ("form", "list", "kanban"))]
            )
            for view in views:
                arch = etree.fromstring(view.arch)
                for node in arch.iter("field"):
                    if node.get("name") in HOURS_FIELDS:
                        self.assertNotIn(
                            node.get("widget"),
                            ("float_time", "timesheet_uom"),
                            f"{view.xml_id or view.name}: {node.get('name')}",
                        )
