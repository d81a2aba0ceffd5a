import json
from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common.report import AftersalesReportCase


@tagged("post_install", "-at_install")
class TestDashboard(AftersalesReportCase):
    """The After-Sales dashboard of the Dashboards app: shipped as data, every pivot and
    chart reads an existing reporting model through existing groupings and measures, and
    loading its data costs the same number of queries however much data there is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("aftersales.spreadsheet_dashboard_aftersales")
        cls.data = json.loads(cls.dashboard.spreadsheet_data)

    def _sources(self):
        """``(name, model, groupbys, measures, domain)`` of every pivot and chart."""
        for pivot in self.data["pivots"].values():
            groupbys = [
                f"{row['fieldName']}:{row['granularity']}"
                if row.get("granularity")
                else row["fieldName"]
                for row in pivot["rows"] + pivot["columns"]
            ]
            measures = [m["fieldName"] for m in pivot["measures"]]
            yield pivot["name"], pivot["model"], groupbys, measures, pivot["domain"]
        for sheet in self.data["sheets"]:
            for figure in sheet["figures"]:
                chart = figure["data"]
                if not chart["type"].startswith("odoo_"):
                    continue
                meta = chart["metaData"]
                yield (
                    chart["title"]["text"],
                    meta["resModel"],
                    meta["groupBy"],
                    [meta["measure"]],
                    chart["searchParams"]["domain"],
                )

    def _load(self, user):
        """What the dashboard asks the server for: one grouped read per data source."""
        results = {}
        for name, model, groupbys, measures, domain in self._sources():
            Model = self.env[model].with_user(user)
            aggregates = [
                "__count"
                if measure == "__count"
                else f"{measure}:{Model._fields[measure].aggregator or 'sum'}"
                for measure in measures
            ]
            results[name] = Model._read_group(domain, groupbys, aggregates)
        return results

    def test_dashboard_is_published_for_managers(self):
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.group_ids, self.env.ref("aftersales.group_aftersales_manager")
        )
        self.assertEqual(self.data["sheets"][0]["name"], "After-Sales")

    def test_every_source_reads_existing_fields(self):
        models = set()
        for name, model, groupbys, measures, _domain in self._sources():
            models.add(model)
            with self.subTest(source=name):
                self.assertIn(model, self.env)
                fields = self.env[model].fields_get(attributes=["groupable", "aggregator"])
                for groupby in groupbys:
                    fname = groupby.split(":")[0]
                    self.assertIn(fname, fields)
                    self.assertTrue(fields[fname]["groupable"], fname)
                for measure in measures:
                    self.assertIn(measure, fields)
                    self.assertTrue(fields[measure].get("aggregator"), measure)
        # the six subjects of the issue
        self.assertLessEqual(
            {
                "aftersales.service.level.report",
                "aftersales.profitability.report",
                "aftersales.utilisation.report",
                "aftersales.intervention",
                "aftersales.reliability.report",
            },
            models,
        )

    def test_least_reliable_models_come_first(self):
        pivot = next(
            p for p in self.data["pivots"].values() if p["model"] == "aftersales.reliability.report"
        )
        self.assertEqual(
            pivot["sortedColumn"], {"measure": "calls_per_year", "order": "desc", "domain": []}
        )
        self.assertIn("=PIVOT(6,5,FALSE)", self.data["sheets"][0]["cells"].values())

    def _grow(self, size):
        """``size`` more done interventions with costs and serials, and fee invoices."""
        contract = self._create_contract(
            lines=[self._fee_line(), self._covered_line(lot=self._create_lot(f"DASH-{size}-C"))]
        )
        for index in range(size):
            lot = self._create_lot(
                f"DASH-{size}-{index}",
                aftersales_delivery_date=date(2024, 1, 1) + timedelta(days=index),
            )
            self._done_intervention(
                datetime(2026, 1, 5, 9, 0) + timedelta(days=index),
                2,
                {"labour": 50.0 + index, "material": 10.0},
                lot_id=lot.id,
                intervention_type="corrective",
            )
            self._fee_invoice(contract, 100.0 + index, date(2026, 1, 10) + timedelta(days=index))
        self.env.flush_all()
        self.env.invalidate_all()

    def test_same_queries_at_two_sizes(self):
        counts = []
        for size in (2, 12):
            self._grow(size)
            self._load(self.user_manager)  # warm the caches (ACLs, rules)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            results = self._load(self.user_manager)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertTrue(results["Margin by month"])
        self.assertEqual(counts[0], counts[1])
