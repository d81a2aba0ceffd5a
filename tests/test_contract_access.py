from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged, users

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestContractAccess(AftersalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            lines=[
                cls._fee_line(),
                cls._covered_line(lot=cls._create_lot("ACC-0001"), response_hours=6.0),
            ]
        )
        cls.contract_b = cls.env["aftersales.contract"].create(
            {
                "partner_id": cls.customer_b.id,
                "company_id": cls.company_b.id,
                "line_ids": [cls._covered_line()],
            }
        )

    @users("as_technician")
    def test_technician_reads_but_does_not_change_contracts(self):
        contract = self.contract.with_env(self.env)
        self.assertEqual(contract.partner_id, self.customer)
        covered = contract.line_ids.filtered("equipment_product_id")
        self.assertEqual(covered.lot_id.name, "ACC-0001")
        self.assertEqual(covered.response_hours, 6.0)
        with self.assertRaises(AccessError, msg="the invoices are the accountants'"):
            contract.read(["invoice_ids"])
        with self.assertRaises(AccessError):
            contract.write({"reference": "changed"})
        with self.assertRaises(AccessError):
            self.env["aftersales.contract"].create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            contract.line_ids.write({"price_unit": 1.0})

    @users("as_manager")
    def test_manager_manages_contracts_of_own_companies_only(self):
        contract = self.env["aftersales.contract"].create(
            {"partner_id": self.customer.id, "line_ids": [self._fee_line()]}
        )
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        self.assertNotIn(self.contract_b, self.env["aftersales.contract"].search([]))
        with self.assertRaises(AccessError):
            self.contract_b.with_env(self.env).read(["name"])

    @users("as_accountant")
    def test_accountant_invoices_contracts(self):
        contract = self.contract.with_env(self.env)
        with freeze_time("2026-01-03"):
            contract.action_create_invoices()
        self.assertEqual(len(contract.invoice_ids), 1)
        with self.assertRaises(AccessError):
            self.env["aftersales.contract"].create({"partner_id": self.customer.id})

    @users("as_portal")
    def test_portal_user_reads_only_own_entity(self):
        Contract = self.env["aftersales.contract"]
        self.assertEqual(Contract.search([]), self.contract)
        with self.assertRaises(AccessError):
            self.contract.with_env(self.env).write({"reference": "mine now"})
