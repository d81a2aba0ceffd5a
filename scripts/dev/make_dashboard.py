"""Writes data/files/aftersales_dashboard.json, the After-Sales dashboard of the
Dashboards app (spreadsheet_dashboard), from the definitions below.

Every figure of the dashboard is a pivot or a chart over the reporting models, so it
shows what their own pivot views show. Edit here, rerun, commit both files:

    python3 scripts/dev/make_dashboard.py

tests/test_dashboard.py checks that every model, grouping and measure exists and that
loading the data sources costs the same number of queries at two data sizes.
"""

import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[2] / "data" / "files" / "aftersales_dashboard.json"


def pivot(pid, name, model, rows, measures, domain=(), columns=(), sorted_by=None):
    return {
        "type": "ODOO",
        "id": pid,
        "formulaId": pid,
        "name": name,
        "model": model,
        "domain": list(domain),
        "context": {},
        "rows": [dict(row) for row in rows],
        "columns": [dict(col) for col in columns],
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "sortedColumn": (
            {"measure": sorted_by, "order": "desc", "domain": []} if sorted_by else None
        ),
        "fieldMatching": {},
    }


def chart(cid, title, model, groupby, measure, kind="odoo_bar", domain=(), x=0, y=0):
    return {
        "id": cid,
        "tag": "chart",
        "width": 520,
        "height": 300,
        "offset": {"x": x, "y": y},
        "col": 0,
        "row": 0,
        "data": {
            "chartId": cid,
            "type": kind,
            "title": {"text": title, "bold": True, "color": "#434343"},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {
                "groupBy": [groupby],
                "measure": measure,
                "order": None,
                "resModel": model,
                "mode": kind.removeprefix("odoo_"),
                "cumulatedStart": False,
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": list(domain),
                "groupBy": [groupby],
                "orderBy": [],
            },
            "dataSets": [{}],
            "verticalAxisPosition": "left",
            "stacked": False,
            "fieldMatching": {},
        },
    }


SLA = "aftersales.service.level.report"
PROFIT = "aftersales.profitability.report"
UTIL = "aftersales.utilisation.report"
PREVENTIVE = "aftersales.intervention"
RELIABILITY = "aftersales.reliability.report"

PIVOTS = [
    pivot(
        "1",
        "SLA compliance by month",
        SLA,
        [{"fieldName": "date_open", "granularity": "month"}],
        ["resolution_compliance", "response_compliance", "nbr"],
    ),
    pivot(
        "2",
        "Open tickets by SLA status",
        SLA,
        [{"fieldName": "sla_status"}],
        ["open_count"],
        domain=[["is_closed", "=", False]],
    ),
    pivot(
        "3",
        "Margin by month",
        PROFIT,
        [{"fieldName": "date", "granularity": "month"}],
        ["revenue", "cost_total", "margin", "margin_percent"],
    ),
    pivot(
        "4",
        "Utilisation by technician",
        UTIL,
        [{"fieldName": "employee_id"}],
        ["available_hours", "worked_hours", "utilisation"],
        sorted_by="utilisation",
    ),
    pivot(
        "5",
        "Preventive visits due against done",
        PREVENTIVE,
        [{"fieldName": "preventive_year_start", "granularity": "year"}],
        ["preventive_due", "preventive_done"],
        domain=[["preventive_due", "=", 1]],
    ),
    pivot(
        "6",
        "Least reliable models",
        RELIABILITY,
        [{"fieldName": "product_id"}],
        ["calls_per_year", "mtbf_days", "mttr_hours", "cost_per_year", "fee_per_year"],
        sorted_by="calls_per_year",
    ),
]

CHARTS = [
    chart("as-chart-margin", "Margin by month", PROFIT, "date:month", "margin", x=0, y=520),
    chart(
        "as-chart-utilisation",
        "Utilisation by technician (%)",
        UTIL,
        "employee_id",
        "utilisation",
        x=540,
        y=520,
    ),
    chart(
        "as-chart-preventive",
        "Preventive visits done",
        PREVENTIVE,
        "preventive_year_start:year",
        "preventive_done",
        domain=[["preventive_due", "=", 1]],
        x=0,
        y=840,
    ),
    chart(
        "as-chart-reliability",
        "Calls per machine-year by model",
        RELIABILITY,
        "product_id",
        "calls_per_year",
        x=540,
        y=840,
    ),
]

THIS_MONTH = 'TEXT(TODAY(),"mm/yyyy")'
LAST_MONTH = 'TEXT(EDATE(TODAY(),-1),"mm/yyyy")'
CELLS = {
    "A1": '=_t("After-Sales")',
    "A3": '=_t("SLA compliance")',
    "B3": '=_t("This month")',
    "C3": '=_t("Last month")',
    "A4": '=_t("Resolution SLA (%)")',
    "B4": f'=IFERROR(PIVOT.VALUE(1,"resolution_compliance","date_open:month",{THIS_MONTH}),"")',
    "C4": f'=IFERROR(PIVOT.VALUE(1,"resolution_compliance","date_open:month",{LAST_MONTH}),"")',
    "A5": '=_t("Response SLA (%)")',
    "B5": f'=IFERROR(PIVOT.VALUE(1,"response_compliance","date_open:month",{THIS_MONTH}),"")',
    "C5": f'=IFERROR(PIVOT.VALUE(1,"response_compliance","date_open:month",{LAST_MONTH}),"")',
    "A7": '=_t("Open tickets by SLA status")',
    "A8": "=PIVOT(2)",
    "E3": '=_t("Five least reliable models")',
    "E4": "=PIVOT(6,5,FALSE)",
    "A14": '=_t("Margin by month")',
    "A15": "=PIVOT(3)",
    # below the months of the margin (up to 18 rows), side by side
    "A34": '=_t("Utilisation by technician")',
    "A35": "=PIVOT(4)",
    "G34": '=_t("Preventive visits due against done")',
    "G35": "=PIVOT(5)",
}


def build():
    figures = [dict(figure, row=0, col=0) for figure in CHARTS]
    # the charts sit below the tables
    for figure in figures:
        figure["offset"]["y"] += 1200
    return {
        "version": "18.5.10",
        "sheets": [
            {
                "id": "aftersales-dashboard",
                "name": "After-Sales",
                "colNumber": 14,
                "rowNumber": 120,
                "rows": {},
                "cols": {"0": {"size": 220}, "4": {"size": 220}, "6": {"size": 160}},
                "merges": [],
                "cells": CELLS,
                "styles": {},
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "dataValidationRules": [],
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "comments": {},
            }
        ],
        "styles": {},
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": {p["id"]: p for p in PIVOTS},
        "pivotNextId": len(PIVOTS) + 1,
        "customTableStyles": {},
        "globalFilters": [],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {
            "as-chart-margin": "aftersales.aftersales_profitability_report_menu",
            "as-chart-reliability": "aftersales.aftersales_reliability_report_menu",
        },
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n")
    print(OUT)
