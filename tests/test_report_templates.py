"""Every report of the add-on, found from the registry, so that a report added later is
covered without anyone writing a test for it:

* it renders to a PDF for a realistic record of its model, and pdftotext reads the
  record's reference in it;
* the rows a model hands to a template (``o._report_...()``) are read only with the keys
  (or positions) they have, and the realistic record gives some;
* every free text of the add-on that a report prints is bounded: a text beyond its
  limit is refused with a ValidationError, before any PDF engine sees it.
"""

import re
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.orm.fields import Field
from odoo.tests import tagged

from .common.pdf import PdfReportCase

MODULE = "aftersales"
TEXT_TYPES = ("char", "text", "html")
# row.get('key'), row['key'] and row[2]
ROW_READ = r"\b{var}(?:\.get\(\s*'(?P<get>\w+)'|\[\s*'(?P<key>\w+)'\s*\]|\[\s*(?P<index>\d+)\s*\])"
METHOD_CALL = re.compile(r"^\s*o\.(_\w+)\(\)\s*$")


@tagged("post_install", "-at_install")
class TestEveryReport(PdfReportCase):
    # ------------------------------------------------------------------
    # Finding the reports
    # ------------------------------------------------------------------
    def _module_records(self, model):
        data = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", model)])
        return self.env[model].browse(data.mapped("res_id")).exists()

    def _addon_templates(self):
        return self._module_records("ir.ui.view").filtered(lambda v: v.type == "qweb")

    def _addon_reports(self):
        """The add-on's reports, and the reports of other modules whose templates the
        add-on extends (directly or through the templates they call)."""
        reports = self._module_records("ir.actions.report")
        keys = set()
        for view in self._addon_templates().filtered("inherit_id"):
            while view.inherit_id and view.mode == "extension":
                view = view.inherit_id
            keys.add(view.key)
        Views = self.env["ir.ui.view"].with_context(active_test=False)
        for _depth in range(6):
            callers = set()
            for key in keys:
                callers.update(
                    Views.search(
                        [("type", "=", "qweb"), ("arch_db", "ilike", f't-call="{key}"')]
                    ).mapped("key")
                )
            if callers <= keys:
                break
            keys |= callers
        return reports | self.env["ir.actions.report"].search([("report_name", "in", list(keys))])

    def _report_templates(self):
        """The add-on's templates that its reports print: those the reports call, and
        the add-on's extensions of any template a report calls."""
        Views = self.env["ir.ui.view"].with_context(active_test=False)
        keys = set(self._addon_reports().mapped("report_name"))
        todo = list(keys)
        while todo:
            for view in Views.search([("type", "=", "qweb"), ("key", "=", todo.pop())]):
                for node in etree.fromstring(view.arch_db.encode()).iter():
                    called = node.get("t-call")
                    if called and "{" not in called and called not in keys:
                        keys.add(called)
                        todo.append(called)
        templates = self.env["ir.ui.view"]
        for view in self._addon_templates():
            root = view
            while root.inherit_id and root.mode == "extension":
                root = root.inherit_id
            if root.key in keys:
                templates |= view
        return templates

    def _realistic(self, report):
        record = self.realistic_records.get(report.model)
        self.assertTrue(
            record,
            f"Report {report.report_name} prints {report.model}: give PdfReportCase "
            "(tests/common/pdf.py) a realistic record of it.",
        )
        return record

    def test_reports_found(self):
        names = set(self._addon_reports().mapped("report_name"))
        self.assertGreaterEqual(
            names,
            {
                "aftersales.report_aftersales_intervention",
                "aftersales.report_aftersales_ddt",
                "aftersales.report_aftersales_contract",
                "account.report_invoice_with_payments",
                "account.report_invoice",
            },
        )

    # ------------------------------------------------------------------
    # Every report renders to a PDF for a realistic record
    # ------------------------------------------------------------------
    def test_every_report_renders_a_pdf(self):
        for report in self._addon_reports():
            with self.subTest(report=report.report_name):
                record = self._realistic(report)
                text = self._report_text(report.report_name, record)
                self.assertIn(self._reference(record), text)

    def _reference(self, record):
        if record._name == "stock.picking":
            return record.aftersales_ddt_number
        return record.name

    # ------------------------------------------------------------------
    # Rows are read with the keys they have
    # ------------------------------------------------------------------
    def _row_reads(self):
        """{method name: {"keys": keys read, "positions": indexes read}} over the rows
        that the add-on's templates loop over, ``t-foreach`` of ``o._method()`` or of a
        variable set to it."""
        reads = {}
        for view in self._report_templates():
            arch = etree.fromstring(view.arch_db.encode())
            sets = {
                node.get("t-set"): node.get("t-value")
                for node in arch.iter()
                if node.get("t-set") and node.get("t-value")
            }
            for loop in arch.iter():
                expression = loop.get("t-foreach")
                if not expression:
                    continue
                match = METHOD_CALL.match(sets.get(expression.strip(), expression))
                if not match:
                    continue
                read = reads.setdefault(match[1], {"keys": set(), "positions": set()})
                pattern = re.compile(ROW_READ.format(var=re.escape(loop.get("t-as"))))
                for node in loop.iter():
                    for name, value in node.attrib.items():
                        if not name.startswith("t-"):
                            continue
                        for found in pattern.finditer(value):
                            if found["index"]:
                                read["positions"].add(int(found["index"]))
                            else:
                                read["keys"].add(found["get"] or found["key"])
        return reads

    def test_rows_are_read_with_the_keys_the_model_gives(self):
        reads = self._row_reads()
        self.assertIn("_report_material_lines", reads)
        self.assertIn("_aftersales_ddt_lines", reads)
        for method, read in reads.items():
            records = [r for r in self.realistic_records.values() if hasattr(r, method)]
            self.assertTrue(records, f"No realistic record has {method}")
            for record in records:
                with self.subTest(method=method, model=record._name):
                    rows = getattr(record, method)()
                    self.assertTrue(rows, f"{record._name}.{method}() gives no row to check")
                    for row in rows:
                        if read["keys"]:
                            self.assertIsInstance(row, dict)
                            self.assertLessEqual(read["keys"], set(row), f"{method} row")
                        if read["positions"]:
                            self.assertGreater(len(row), max(read["positions"]), method)

    def test_no_placeholder_is_printed_for_an_empty_value(self):
        """QWeb prints a t-field's or t-out's own content when the value is empty: in a
        document, that is a made-up figure ("1 Units" for a quantity it could not read)."""
        templates = self._report_templates()
        keys = templates.mapped("key")
        self.assertIn("aftersales.report_aftersales_intervention_materials", keys)
        self.assertIn("aftersales.report_invoice_document_aftersales_ddt", keys)
        for view in templates:
            for node in etree.fromstring(view.arch_db.encode()).iter():
                expression = node.get("t-field") or node.get("t-out") or node.get("t-esc")
                if not expression or expression == "0":
                    continue
                default = "".join(node.itertext()).strip()
                self.assertFalse(
                    default, f"{view.key}: {expression} prints {default!r} when it is empty"
                )

    def test_a_row_refuses_a_key_it_does_not_have(self):
        [row, *_rows] = self.intervention._report_material_lines()
        self.assertEqual(row.get("qty"), 2.0)
        for read in (lambda: row.get("quantity"), lambda: row["note"]):
            with self.assertRaisesRegex(KeyError, "the template and the model"):
                read()

    # ------------------------------------------------------------------
    # Every free text a report prints is bounded
    # ------------------------------------------------------------------
    def _printed_texts(self):
        """{(model, field name)} of the add-on's free texts read while rendering each
        report for its realistic record: text fields that a user writes (neither read-only
        nor computed-only)."""
        printed = set()
        get = Field.__get__

        def tracing_get(field, record, owner=None):
            if (
                record is not None
                and field.type in TEXT_TYPES
                and MODULE in field._modules
                and field.store
                and not field.readonly
                and not field.related
            ):
                printed.add((field.model_name, field.name))
            return get(field, record, owner)

        for report in self._addon_reports():
            record = self._realistic(report)
            self.env.invalidate_all()
            with patch.object(Field, "__get__", tracing_get):
                self.env["ir.actions.report"]._render_qweb_html(report.report_name, record.ids)
        return printed

    def _over_the_limit(self, field):
        words = "word " * 200_000  # a megabyte
        return f"<p>{words}</p>" if field.type == "html" else words

    def test_every_printed_text_is_bounded(self):
        printed = self._printed_texts()
        self.assertGreaterEqual(
            printed,
            {
                ("aftersales.intervention", "work_done"),
                ("aftersales.intervention", "signed_by"),
                ("aftersales.contract", "note"),
                ("aftersales.contract.line", "name"),
                ("stock.picking", "aftersales_goods_appearance"),
            },
        )
        records = {
            **self.realistic_records,
            "aftersales.contract.line": self.contract.line_ids[:1],
            "aftersales.price.index": self.index,
        }
        for model, name in sorted(printed):
            with self.subTest(field=f"{model}.{name}"):
                record = records.get(model)
                self.assertTrue(record, f"{model}.{name} is printed: add a record of {model}")
                field = record._fields[name]
                value = self._over_the_limit(field)
                with self.env.cr.savepoint(), self.assertRaisesRegex(ValidationError, "too long"):
                    if field.translate:
                        record.write({name: value})
                    else:
                        # past the workflow's own checks (a finished worksheet, the system
                        # fields): the length is what is checked here
                        record._write({name: value})
                        record.invalidate_recordset([name])
                        record._validate_fields([name])
