import threading
import time

import psycopg2

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestHourBankConcurrency(BaseCase):
    """Two interventions drawing from one bank at the same time, in two real
    transactions: the second waits for the first and cannot overdraw the bank.

    The data is committed (other connections must see it) and removed at the end."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            self.partner_id = env["res.partner"].create({"name": "Bar Concorrente"}).id
            self.product_id = (
                env["product.product"].create({"name": "Hours pack (test)", "type": "service"}).id
            )
            bank = env["aftersales.contract"].create(
                {
                    "partner_id": self.partner_id,
                    "contract_kind": "hour_bank",
                    "hour_bank_hours": 10.0,
                    "hour_bank_overage": "block",
                    "line_ids": [
                        Command.create(
                            {"product_id": self.product_id, "quantity": 1, "price_unit": 500}
                        )
                    ],
                }
            )
            bank.action_activate()
            self.bank_id = bank.id
            # other connections must see it
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["aftersales.contract"].browse(self.bank_id).state = "cancel"
            env["aftersales.contract"].browse(self.bank_id).unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            # other connections must see it
            cr.commit()  # pylint: disable=invalid-commit

    def _bank(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["aftersales.contract"].browse(self.bank_id)

    def test_two_consumptions_at_once_do_not_overdraw(self):
        with self.db.cursor() as cr1, self.db.cursor() as cr2, self.db.cursor() as watcher:
            bank1, bank2 = self._bank(cr1), self._bank(cr2)
            # the second transaction has already read the bank: 10 h left
            self.assertEqual(bank2.hour_bank_remaining, 10.0)
            cr2.execute("SELECT pg_backend_pid()")
            pid2 = cr2.fetchone()[0]
            # the first draws 8 h and keeps its transaction open
            bank1._hour_bank_draw({"normal": 8.0})
            outcome = {}

            def second_intervention():
                try:
                    with mute_logger("odoo.sql_db"):
                        bank2._hour_bank_draw({"normal": 8.0})
                    cr2.commit()
                    outcome["done"] = True
                except Exception as error:  # noqa: BLE001 - the outcome is the test's
                    outcome["error"] = error
                    cr2.rollback()

            thread = threading.Thread(target=second_intervention)
            thread.start()
            # wait until the second one waits for the first one's lock (without the lock
            # it would just finish)
            for _attempt in range(500):
                watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid2]
                )
                if watcher.fetchone()[0] == "Lock" or not thread.is_alive():
                    break
                time.sleep(0.01)
            cr1.commit()
            thread.join()
            self.assertNotIn("done", outcome, "the second consumption overdrew the bank")
            self.assertIsInstance(outcome["error"], psycopg2.errors.SerializationFailure)
            # Odoo retries a serialization failure in a new transaction: it sees 2 h left
            bank2.env.invalidate_all()
            with self.assertRaisesRegex(UserError, "2 h left"):
                bank2._hour_bank_draw({"normal": 8.0})
            cr2.rollback()
        with self.db.cursor() as cr:
            self.assertEqual(self._bank(cr).hour_bank_remaining, 2.0)
