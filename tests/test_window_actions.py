from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from .common import AftersalesCase


@tagged("post_install", "-at_install")
class TestWindowActions(AftersalesCase):
    """Every window action of the module opens all of its views and its default search."""

    def _module_actions(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "aftersales"), ("model", "=", "ir.actions.act_window")]
        )
        return self.env["ir.actions.act_window"].browse(data.mapped("res_id"))

    def _default_search_domain(self, model, search_view, context):
        """The domain of the filters the action's context turns on by default."""
        arch = etree.fromstring(search_view["arch"])
        domain = []
        for node in arch.iter("filter"):
            name = node.get("name")
            if name and context.get(f"search_default_{name}") and node.get("domain"):
                domain += safe_eval(node.get("domain"), self._eval_context(model.env))
        return domain

    def _eval_context(self, env):
        return {
            "uid": env.uid,
            "user": env.user,
            "context_today": lambda: safe_datetime.date.today(),
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
            "time": safe_time,
            "allowed_company_ids": env.companies.ids,
            "active_id": False,
            "active_ids": [],
            "current_company_id": env.company.id,
        }

    def _open(self, action, user):
        env = self.env(user=user)
        model = env[action.res_model]
        context = safe_eval(action.context or "{}", self._eval_context(env))
        model = model.with_context(**context)
        views = [(action.view_id.id or False, mode) for mode in action.view_mode.split(",")]
        views.append((action.search_view_id.id or False, "search"))
        result = model.get_views(views, {"load_filters": True, "action_id": action.id})
        for mode in action.view_mode.split(","):
            self.assertIn(mode, result["views"], f"{action.name}: no {mode} view")
        domain = safe_eval(action.domain or "[]", self._eval_context(env))
        domain += self._default_search_domain(model, result["views"]["search"], context)
        model.web_search_read(domain, specification={"display_name": {}}, limit=80)

    def _allowed(self, action, user):
        groups = action.group_ids
        if groups and not groups & user.all_group_ids:
            return False
        return self.env[action.res_model].with_user(user).has_access("read")

    def test_actions_open_for_managers(self):
        actions = self._module_actions()
        self.assertTrue(actions, "the module defines window actions")
        for action in actions:
            with self.subTest(action=action.name):
                if action.group_ids and not action.group_ids & self.user_manager.all_group_ids:
                    continue  # e.g. Settings, for administrators only
                self.assertTrue(self._allowed(action, self.user_manager))
                self._open(action, self.user_manager)

    def test_actions_open_for_technicians(self):
        actions = self._module_actions().filtered(lambda a: self._allowed(a, self.user_technician))
        self.assertTrue(actions, "technicians have actions to open")
        for action in actions:
            with self.subTest(action=action.name):
                self._open(action, self.user_technician)
