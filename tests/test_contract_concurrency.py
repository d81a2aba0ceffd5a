import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

N = 200


class _Capture(logging.Handler):
    """Every record logged, from whichever thread."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@tagged("post_install", "-at_install")
class TestContractConcurrency(BaseCase):
    """Two runs at once, each on its own cursor, over committed data.

    The data is committed in ``setUpClass`` (concurrent transactions cannot see an
    uncommitted test transaction) and deleted again by a class cleanup.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.addClassCleanup(cls._delete_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
            today = fields.Date.context_today(env["aftersales.contract"])
            cls.company = env.company
            cls.post_setting = cls.company.aftersales_invoice_post
            cls.company.aftersales_invoice_post = False
            partner = env["res.partner"].create({"name": "Concurrency test customer"})
            product = env["product.product"].create(
                {"name": "Concurrency test fee", "type": "service", "taxes_id": []}
            )
            cls.partner_id, cls.product_tmpl_id = partner.id, product.product_tmpl_id.id
            line = Command.create({"product_id": product.id, "price_unit": 50.0, "tax_ids": []})
            month_start = today.replace(day=1)
            previous_month = (month_start - timedelta(days=1)).replace(day=1)
            # two monthly periods due: last month's and this month's
            to_invoice = env["aftersales.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "date_start": previous_month,
                        "billing_period": "monthly",
                        "period_alignment": "calendar",
                        "line_ids": [line],
                    }
                    for _ in range(N)
                ]
            )
            # renewal due (notice date passed), nothing left to invoice
            date_end = today + timedelta(days=30)
            to_renew = env["aftersales.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "date_start": date_end - timedelta(days=364),
                        "date_end": date_end,
                        "next_period_start": date_end + timedelta(days=1),
                        "renewal_type": "tacit",
                        "notice_days": 90,
                        "line_ids": [line],
                    }
                    for _ in range(N)
                ]
            )
            (to_invoice | to_renew).action_activate()
            cls.to_invoice_ids, cls.to_renew_ids = to_invoice.ids, to_renew.ids

    @classmethod
    def _delete_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
            Contract = env["aftersales.contract"]
            contracts = Contract.browse(cls.to_invoice_ids + cls.to_renew_ids)
            contracts |= Contract.search([("predecessor_id", "in", contracts.ids)])
            contracts.invoice_ids.unlink()
            contracts.revision_ids.unlink()
            contracts.write({"state": "cancel"})
            contracts.unlink()
            env["product.template"].browse(cls.product_tmpl_id).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            cls.company.with_env(env).aftersales_invoice_post = cls.post_setting

    @contextmanager
    def _env(self):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, api.SUPERUSER_ID, {})

    def _race(self, method):
        """Run ``method`` of aftersales.contract twice at once, as two cron workers would,
        and return the records logged meanwhile and the errors the runs raised."""
        barrier = threading.Barrier(2)
        errors = []

        def run():
            barrier.wait(timeout=60)
            for _attempt in range(5):
                try:
                    with self._env() as env:
                        getattr(env["aftersales.contract"], method)(batch_size=20)
                    return
                except psycopg2.errors.SerializationFailure:
                    # the lock met a row committed a moment ago: a next run would take over
                    continue
                except Exception as error:  # noqa: BLE001 - reported by the test
                    errors.append(error)
                    return

        capture = _Capture()
        odoo_logger = logging.getLogger("odoo")
        odoo_logger.addHandler(capture)
        try:
            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=600)
        finally:
            odoo_logger.removeHandler(capture)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a run did not end")
        return capture.records, errors

    def _assert_no_unique_violation(self, records):
        messages = [record.getMessage() for record in records if record.levelno >= logging.ERROR]
        duplicates = [m for m in messages if "duplicate key" in m or "UniqueViolation" in m]
        if duplicates:
            self.fail(f"{len(duplicates)} unique violations logged, e.g. {duplicates[0][-300:]}")

    def test_button_during_a_run_says_so(self):
        with self._env() as env_cron, self._env() as env_user:
            contract_id = self.to_invoice_ids[0]
            env_cron["aftersales.contract"].browse(contract_id).lock_for_update()
            with self.assertRaisesRegex(UserError, "being invoiced right now"):
                env_user["aftersales.contract"].browse(contract_id).action_create_invoices()
            renewable_id = self.to_renew_ids[0]
            env_cron["aftersales.contract"].browse(renewable_id).lock_for_update()
            with self.assertRaisesRegex(UserError, "being renewed right now"):
                env_user["aftersales.contract"].browse(renewable_id).action_renew()
            env_cron.cr.rollback()
            env_user.cr.rollback()

    def test_invoicing_runs_race(self):
        records, errors = self._race("_cron_create_invoices")
        self.assertFalse(errors)
        self._assert_no_unique_violation(records)
        with self._env() as env:
            contracts = env["aftersales.contract"].browse(self.to_invoice_ids)
            groups = env["account.move"]._read_group(
                [("aftersales_contract_id", "in", contracts.ids), ("state", "!=", "cancel")],
                ["aftersales_contract_id", "aftersales_period_start:day"],
                ["__count"],
            )
            self.assertEqual(len(groups), 2 * N, "two periods for each contract")
            self.assertEqual({count for _contract, _start, count in groups}, {1})
            self.assertFalse(contracts.filtered("invoicing_error"))

    def test_renewal_runs_race(self):
        records, errors = self._race("_cron_renew")
        self.assertFalse(errors)
        self._assert_no_unique_violation(records)
        with self._env() as env:
            contracts = env["aftersales.contract"].browse(self.to_renew_ids)
            successors = env["aftersales.contract"]._read_group(
                [("predecessor_id", "in", contracts.ids)], ["predecessor_id"], ["__count"]
            )
            self.assertEqual(len(successors), N, "every contract renewed")
            self.assertEqual({count for _contract, count in successors}, {1})
            failed = env["mail.message"].search_count(
                [
                    ("model", "=", "aftersales.contract"),
                    ("res_id", "in", contracts.ids),
                    ("body", "ilike", "Renewal failed"),
                ]
            )
            self.assertEqual(failed, 0)

    @mute_logger("odoo.sql_db")
    def test_renew_button_after_an_unseen_renewal(self):
        """*Renew* in a transaction that started before a concurrent renewal committed:
        the check cannot see the other successor, the database index refuses it."""
        with self._env() as env:
            Contract = env["aftersales.contract"]
            contract = Contract.search([("id", "in", self.to_renew_ids)], limit=1, order="id")
            if contract.successor_ids:  # renewed by the race: use a fresh renewal
                contract.successor_ids.write({"state": "cancel"})
            contract_id = contract.id
        with self._env() as env_user:
            user_contract = env_user["aftersales.contract"].browse(contract_id)
            self.assertFalse(user_contract.successor_ids.filtered(lambda c: c.state != "cancel"))
            with self._env() as env_other:
                env_other["aftersales.contract"].browse(contract_id).action_renew()
            with self.assertRaisesRegex(UserError, "already been renewed"):
                user_contract.action_renew()
            env_user.cr.rollback()
        with self._env() as env:
            live = env["aftersales.contract"].search(
                [("predecessor_id", "=", contract_id), ("state", "!=", "cancel")]
            )
            self.assertEqual(len(live), 1)
