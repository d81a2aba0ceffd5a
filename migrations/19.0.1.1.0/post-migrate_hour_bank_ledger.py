"""19.0.1.1.0: hour banks keep their hours in a ledger (``aftersales.hour.move``).

The prepaid and used hours were stored columns of ``aftersales_contract``; they become
an opening "hours bought" move and a "consumption" move per hour bank, dated on the
contract's start, and the old columns go."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "aftersales_contract", "hour_bank_used"):
        return
    cr.execute(
        SQL(
            """
            INSERT INTO aftersales_hour_move
                (contract_id, company_id, date, kind, name, hours,
                 create_uid, create_date, write_uid, write_date)
            SELECT c.id, c.company_id, c.date_start, m.kind, m.name, m.hours,
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM aftersales_contract c
             CROSS JOIN LATERAL (VALUES
                    ('purchase', %(bought)s, COALESCE(c.hour_bank_hours, 0)),
                    ('consumption', %(used)s, -COALESCE(c.hour_bank_used, 0))
                  ) AS m(kind, name, hours)
             WHERE c.contract_kind = 'hour_bank' AND m.hours != 0
            """,
            bought="Prepaid hours before the ledger",
            used="Hours used before the ledger",
        )
    )
    cr.execute(
        "ALTER TABLE aftersales_contract DROP COLUMN hour_bank_used,"
        " DROP COLUMN IF EXISTS hour_bank_hours, DROP COLUMN IF EXISTS hour_bank_remaining"
    )
