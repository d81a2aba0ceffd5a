"""make test, upgrade step: every record and field of the previous release survives `-u`.

`snapshot` writes, for every stored field that the module defines (on its own models and
on the core models it extends), the value of every row, read straight from the database
so that the code of either release reads the same thing. `compare` takes a second
snapshot after the upgrade and fails on any row that disappeared and on any value that
changed (an empty value filled in is not a loss), unless ``EXPECTED_CHANGES`` names the
field with the migration that changes it. Fields the new release adds are not compared;
fields it drops must have a migration script (migrations/<version>/) and be listed in
``DROPPED``. Reports (SQL views) are not compared: their rows are computed from the
tables that are.
"""

import argparse
import json
import sys
from collections import Counter

# (model, field): why the upgrade may change its values (a migration or a recompute)
_FEES = (
    "migrations/19.0.1.3.0/post-migrate_contract_fees.py: fees net of credit notes, "
    "counted by the reports' rule"
)
EXPECTED_CHANGES = {
    ("aftersales.contract", "fee_revenue"): _FEES,
    ("aftersales.contract", "revenue"): _FEES,
    ("aftersales.contract", "margin"): _FEES,
    ("aftersales.contract", "margin_percent"): _FEES,
}
# (model, field): the migration that moves the data of a dropped field
_LEDGER = "migrations/19.0.1.1.0/post-migrate_hour_bank_ledger.py: moves of the ledger"
DROPPED = {
    ("aftersales.contract", "hour_bank_hours"): _LEDGER,
    ("aftersales.contract", "hour_bank_used"): _LEDGER,
    ("aftersales.contract", "hour_bank_remaining"): _LEDGER,
}

SKIPPED_TYPES = ("binary", "one2many")
MAGIC = ("id", "create_uid", "create_date", "write_uid", "write_date", "display_name")


def _fields(cr):
    cr.execute(
        """
        SELECT f.model, f.name, f.ttype, f.relation_table, f.column1, f.column2
          FROM ir_model_fields f
          JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
          JOIN ir_model m ON m.id = f.model_id
         WHERE d.module = 'aftersales' AND f.store AND f.ttype NOT IN %s AND f.name NOT IN %s
           AND replace(f.model, '.', '_') NOT IN %s
        """,
        [SKIPPED_TYPES, MAGIC, tuple(_views(cr)) or ("",)],
    )
    return cr.fetchall()


def _views(cr):
    """The tables that are SQL views (the reports): they hold no data of their own,
    only rows computed from the tables compared here, some moving with the clock (a
    backlog's age), so they are not compared."""
    cr.execute("SELECT relname FROM pg_class WHERE relkind IN ('v', 'm')")
    return [name for (name,) in cr.fetchall()]


def _table_exists(cr, table):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [table])
    return bool(cr.fetchone())


def _values(cr, model, name, ttype, relation, col1, col2):
    table = model.replace(".", "_")
    if ttype == "many2many":
        if not relation or not _table_exists(cr, relation):
            return None
        cr.execute(
            f'SELECT "{col1}", array_agg("{col2}" ORDER BY "{col2}") FROM "{relation}" GROUP BY 1'
        )
    else:
        if not _table_exists(cr, table):
            return None
        cr.execute(f'SELECT id, "{name}"::text FROM "{table}" ORDER BY id')
    return {
        str(row[0]): row[1] if not isinstance(row[1], list) else sorted(row[1])
        for row in cr.fetchall()
    }


def snapshot(cr):
    data = {}
    for model, name, ttype, relation, col1, col2 in _fields(cr):
        values = _values(cr, model, name, ttype, relation, col1, col2)
        if values is not None:
            data[f"{model}.{name}"] = values
    ids = {}
    for key in data:
        model = key.rsplit(".", 1)[0]
        if model not in ids:
            table = model.replace(".", "_")
            cr.execute(f'SELECT array_agg(id ORDER BY id) FROM "{table}"')
            ids[model] = [str(i) for i in (cr.fetchone()[0] or [])]
    return {"fields": data, "ids": ids, "views": _views(cr)}


def compare(before, after):
    # a snapshot made before reports were left out still holds their rows
    views = set(before.get("views", [])) | set(after.get("views", []))
    before = {
        "ids": {m: i for m, i in before["ids"].items() if m.replace(".", "_") not in views},
        "fields": {
            key: values
            for key, values in before["fields"].items()
            if key.rsplit(".", 1)[0].replace(".", "_") not in views
        },
    }
    problems = []
    for model, old_ids in before["ids"].items():
        new_ids = set(after["ids"].get(model, []))
        lost = [i for i in old_ids if i not in new_ids]
        if model in after["ids"] and lost:
            problems.append(f"{model}: {len(lost)} record(s) lost, e.g. {lost[:5]}")
    changed = Counter()
    for key, old in before["fields"].items():
        model, field = key.rsplit(".", 1)
        if key not in after["fields"]:
            if (model, field) not in DROPPED:
                problems.append(f"{key}: the field is gone and no migration is listed")
            continue
        if (model, field) in EXPECTED_CHANGES:
            continue
        new = after["fields"][key]
        for rid, value in old.items():
            # a value filled in where there was none (a token, a new default) loses nothing
            if rid in new and value is not None and new[rid] != value:
                changed[key] += 1
    problems += [f"{key}: {n} value(s) changed" for key, n in changed.items()]
    records = sum(len(v) for v in before["ids"].values())
    values = sum(len(v) for v in before["fields"].values())
    return problems, len(before["ids"]), records, values


def main():
    import odoo
    from odoo.modules.registry import Registry

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["snapshot", "compare"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--file", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    with Registry(args.database).cursor() as cr:
        current = snapshot(cr)
    if args.action == "snapshot":
        with open(args.file, "w") as out:
            json.dump(current, out)
        return 0
    with open(args.file) as handle:
        before = json.load(handle)
    problems, models, records, values = compare(before, current)
    print(
        f"upgrade check: {models} models, {records} records, {values} stored values "
        f"of the previous release compared after the upgrade"
    )
    for line in problems:
        print("  LOST OR CHANGED:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
