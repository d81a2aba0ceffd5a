from odoo.tests import tagged

from .common.base import AftersalesCase


@tagged("post_install", "-at_install")
class TestEmptyStates(AftersalesCase):
    """An empty list says what belongs there, never Odoo's generic "Create new
    document"."""

    def test_every_window_action_explains_its_empty_list(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.actions.act_window")]
        )
        actions = self.env["ir.actions.act_window"].browse(data.mapped("res_id"))
        lists = actions.filtered(
            lambda a: a.target != "new" and a.res_model != "res.config.settings"
        )
        self.assertTrue(lists)
        for action in lists:
            self.assertIn("o_view_nocontent_smiling_face", action.help or "", action.name)

    def test_invoicing_failures_says_nothing_failed(self):
        action = self.env.ref("aftersales.aftersales_contract_action_failed")
        self.assertIn("No invoicing failure", action.help)
        self.assertIn("'create': False", action.context)
