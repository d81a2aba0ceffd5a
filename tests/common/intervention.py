from datetime import datetime

from odoo.fields import Command

from .base import AftersalesHelpdeskCase


class AftersalesInterventionCase(AftersalesHelpdeskCase):
    """Intervention fixtures: an Italian calendar (8-12, 13-17, Monday to Friday, in
    Europe/Rome) for two technicians of the team with an hourly cost, the 2 June public
    holiday, a technician of another company and a subcontractor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar_rome = cls._create_calendar("Officina 8-17 (Rome)", "Europe/Rome")
        cls.team.resource_calendar_id = cls.calendar_rome
        cls.employee = cls._create_employee(cls.user_technician)
        cls.employee_2 = cls._create_employee(cls.user_technician_2)
        cls.employee_other = cls._create_employee(cls.user_technician_other)
        cls.employee_manager = cls._create_employee(cls.user_manager)
        cls.employee_b = cls.env["hr.employee"].create(
            {"name": "Bruno of Company B", "company_id": cls.company_b.id}
        )
        # Festa della Repubblica, Tuesday 2 June 2026, midnight to midnight in Rome (CEST)
        cls.holiday = cls.env["resource.calendar.leaves"].create(
            {
                "name": "Festa della Repubblica",
                "calendar_id": False,
                "company_id": cls.company.id,
                "date_from": datetime(2026, 6, 1, 22, 0),
                "date_to": datetime(2026, 6, 2, 22, 0),
            }
        )
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Assistenza Esterna S.n.c.", "is_company": True}
        )
        cls.user_technician.tz = "Europe/Rome"

    @classmethod
    def _create_employee(cls, user, **vals):
        return cls.env["hr.employee"].create(
            {
                "name": user.name,
                "user_id": user.id,
                "resource_calendar_id": cls.calendar_rome.id,
                "tz": "Europe/Rome",
                "hourly_cost": 30.0,
                **vals,
            }
        )

    @classmethod
    def _create_intervention(cls, employees=None, **vals):
        employees = cls.employee if employees is None else employees
        return cls.env["aftersales.intervention"].create(
            {
                "summary": "Yearly maintenance",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "employee_ids": [Command.set(employees.ids)],
                **vals,
            }
        )
