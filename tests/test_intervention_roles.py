from datetime import datetime

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common.intervention import AftersalesInterventionCase


@tagged("post_install", "-at_install")
class TestInterventionRoles(AftersalesInterventionCase):
    """Every intervention view opened and read by each role, with the fields it shows;
    the technician fills in their own visit, the manager plans and forces."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.intervention = cls._create_intervention(
            date_planned_start=datetime(2026, 6, 3, 7, 0),
            date_planned_end=datetime(2026, 6, 3, 9, 0),
        )
        cls.intervention.action_plan()
        cls.env["aftersales.intervention.time"].create(
            {
                "intervention_id": cls.intervention.id,
                "employee_id": cls.employee.id,
                "date_start": datetime(2026, 6, 3, 7, 0),
                "date_end": datetime(2026, 6, 3, 8, 0),
            }
        )
        cls.other_team = cls._create_intervention(
            cls.employee_other, team_id=cls.team_other.id, summary="Other team's visit"
        )

    ACTIONS = (
        "aftersales.aftersales_intervention_action",
        "aftersales.aftersales_intervention_action_planning",
        "aftersales.aftersales_intervention_action_dispatch",
        "aftersales.aftersales_intervention_action_my",
        "aftersales.aftersales_intervention_action_executed",
        "aftersales.aftersales_intervention_action_preventive",
    )

    def _walk(self, user):
        """Open every view of every intervention action as ``user`` and read the records
        with the fields each view shows."""
        Intervention = self.env["aftersales.intervention"].with_user(user)
        seen = Intervention.browse()
        for xmlid in self.ACTIONS:
            action = self.env.ref(xmlid)
            views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
            modes = {mode for _view, mode in views}
            views += [(False, mode) for mode in action.view_mode.split(",") if mode not in modes]
            views.append((False, "search"))
            result = Intervention.get_views(views, {"load_filters": True})
            fields_info = result["models"]["aftersales.intervention"]["fields"]
            for mode, view in result["views"].items():
                if mode == "search":
                    continue
                names = {
                    node.get("name")
                    for node in etree.fromstring(view["arch"]).iter("field")
                    if node.get("name") in fields_info
                }
                spec = {name: {} for name in names}
                records = Intervention.web_search_read([], specification=spec)["records"]
                with self.subTest(action=xmlid, mode=mode, user=user.login):
                    self.assertTrue(records)
                seen |= Intervention.browse([r["id"] for r in records])
                if mode == "form":
                    Intervention.browse(records[0]["id"]).web_read(spec)
        return seen

    def test_technician_walks_every_view(self):
        seen = self._walk(self.user_technician)
        self.assertIn(self.intervention, seen)
        self.assertNotIn(self.other_team, seen)
        with self.assertRaises(AccessError):
            self.other_team.with_user(self.user_technician).read(["summary"])
        # the timesheet lines (costs) are not for the technician
        fields_info = (
            self.env["aftersales.intervention"].with_user(self.user_technician).fields_get()
        )
        self.assertNotIn("timesheet_ids", fields_info)

    def test_manager_walks_every_view(self):
        seen = self._walk(self.user_manager)
        self.assertIn(self.other_team, seen)
        self.assertIn(
            "planning_forced",
            self.env["aftersales.intervention"].with_user(self.user_manager).fields_get(),
        )

    def test_technician_fills_own_visit_on_the_form(self):
        intervention = self.intervention.with_user(self.user_technician)
        intervention.action_start()
        with Form(intervention) as form:
            form.travel_km = 18
            form.work_done = "<p>Replaced the pump.</p>"
            with form.time_ids.new() as line:
                line.employee_id = self.employee
                line.time_type = "travel"
                line.date_start = datetime(2026, 6, 3, 6, 30)
                line.date_end = datetime(2026, 6, 3, 7, 0)
        intervention.action_done()
        self.assertEqual(intervention.state, "done")
        self.assertAlmostEqual(intervention.actual_hours, 1.5)

    def test_portal_user_has_no_backend_write(self):
        intervention = self.intervention.with_user(self.user_portal)
        self.assertEqual(intervention.summary, self.intervention.summary)
        with self.assertRaises(AccessError):
            intervention.write({"summary": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["aftersales.intervention.time"].with_user(self.user_portal).search([])
