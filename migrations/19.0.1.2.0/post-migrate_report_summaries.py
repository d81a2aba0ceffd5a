"""19.0.1.2.0: what the reports read is stored.

* The hour banks' ledgers are summed by month (aftersales.hour.bank.month): the table
  is new, so every bank with moves gets its rows here.
* Interventions count their technicians (technician_count): a new stored computed
  column, which the ORM computes for the existing interventions when it adds it; nothing
  to do here."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("SELECT DISTINCT contract_id FROM aftersales_hour_move")
    env["aftersales.hour.bank.month"]._refresh([row[0] for row in cr.fetchall()])
