import threading
from datetime import date

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestContractOverlapRace(TransactionCase):
    """Two users activate, at the same time, two contracts covering one serial on the
    same days. Each transaction's Python check sees no other active line (the other one
    is not committed yet); the database's exclusion constraint makes the second wait for
    the first and then refuses it. The data is committed on purpose (two transactions
    must see it) and removed afterwards."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            partner = env["res.partner"].create({"name": "Race Bar", "is_company": True})
            product = env["product.product"].create(
                {"name": "Race machine", "type": "consu", "tracking": "serial"}
            )
            lot = env["stock.lot"].create({"name": "AUR-RACE-1", "product_id": product.id})
            contracts = env["aftersales.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "date_start": date(2026, 1, 1),
                        "date_end": date(2026, 12, 31),
                        "line_ids": [
                            (0, 0, {"equipment_product_id": product.id, "lot_id": lot.id})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            self.ids = {
                "partner": partner.id,
                "product": product.id,
                "template": product.product_tmpl_id.id,
                "lot": lot.id,
                "contracts": contracts.ids,
            }
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM aftersales_contract WHERE id IN %s", [tuple(self.ids["contracts"])]
            )
            cr.execute("DELETE FROM stock_lot WHERE id = %s", [self.ids["lot"]])
            cr.execute("DELETE FROM product_product WHERE id = %s", [self.ids["product"]])
            cr.execute("DELETE FROM product_template WHERE id = %s", [self.ids["template"]])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [self.ids["partner"]])

    def _activate(self, cr, contract_id):
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["aftersales.contract"].browse(contract_id).action_activate()
        env.flush_all()

    def _wait_until_blocked(self, cr):
        """Wait until ``cr``'s transaction waits on a lock (the first transaction's
        uncommitted line), so that the first one commits only then."""
        pid = cr._cnx.get_backend_pid()
        with self.registry.cursor() as watcher:
            for _attempt in range(600):
                watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
                )
                if watcher.fetchone()[0] == "Lock":
                    return
                watcher.rollback()
                threading.Event().wait(0.1)
        self.fail("the second transaction never waited for the first")

    def test_two_transactions_cannot_both_cover_the_serial(self):
        first, second = self.ids["contracts"]
        errors = []
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self._activate(cr1, first)  # not committed yet

            def other_user():
                try:
                    with mute_logger("odoo.sql_db"):
                        self._activate(cr2, second)  # waits for the first transaction
                except psycopg2.errors.ExclusionViolation as error:
                    errors.append(error)
                    cr2.rollback()

            thread = threading.Thread(target=other_user)
            thread.start()
            self._wait_until_blocked(cr2)
            cr1.commit()
            thread.join(timeout=60)
            self.assertFalse(thread.is_alive())
            self.assertEqual(len(errors), 1, "the second activation is refused")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, state FROM aftersales_contract WHERE id IN %s ORDER BY id",
                [tuple(self.ids["contracts"])],
            )
            self.assertEqual(cr.fetchall(), [(first, "active"), (second, "draft")])
