"""19.0.1.2.0: tickets store their response and resolution times in working hours.

The tickets answered or closed before the upgrade get theirs computed here, with the
SLA's calendar code, in batches."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["aftersales.ticket"]._sla_store_times()
