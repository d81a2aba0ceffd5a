import re
from datetime import datetime

import polib

from odoo.tests import freeze_time, tagged
from odoo.tools import file_path

from .common.base import AftersalesHelpdeskCase


@tagged("post_install", "-at_install")
class TestItalianTexts(AftersalesHelpdeskCase):
    """Texts stored once and read later (chatter lines, to-dos, e-mails) are written in
    the language of whoever reads them, not of whatever process wrote them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env["ir.module.module"]._load_module_terms(["aftersales"], ["it_IT"], overwrite=True)
        po = polib.pofile(file_path("aftersales/i18n/it.po"))
        cls.italian = [
            re.compile(re.sub(r"%\\\(\w+\\\)s", ".+", re.escape(entry.msgstr)) + "$", re.DOTALL)
            for entry in po
            if entry.msgstr and entry.msgstr != entry.msgid
        ]

    def _is_italian(self, text):
        return any(pattern.match(text) for pattern in self.italian)

    def test_creation_lines_in_the_company_language(self):
        """A contract, team or ticket made by an English process (install, cron, import)
        in an Italian company says so in Italian; a person gets their own language."""
        self.company.partner_id.lang = "it_IT"
        env = self.env(context=dict(self.env.context, tracking_disable=False, lang="en_US"))
        contract = env["aftersales.contract"].create({"partner_id": self.customer.id})
        team = env["aftersales.team"].create({"name": "Lago", "notify_receipt": False})
        ticket = env["aftersales.ticket"].create(
            {"subject": "Leak", "partner_id": self.customer.id, "team_id": self.team.id}
        )
        for record, name in (
            (contract, "Contratto di assistenza"),
            (team, "Team assistenza"),
            (ticket, "Chiamata aperta"),
        ):
            body = record.message_ids[-1:].body
            self.assertIn(name, body)
            self.assertNotIn("created", body)
            self.assertNotIn("Ticket opened", body)
        by_hand = (
            self.env["aftersales.ticket"]
            .with_user(self.user_technician)
            .with_context(lang="en_US", tracking_disable=False)
            .create({"subject": "Noise", "partner_id": self.customer.id, "team_id": self.team.id})
        )
        self.assertIn("Ticket opened", by_hand.message_ids[-1:].body)

    def test_todos_in_the_recipient_language(self):
        self.user_technician.lang = "it_IT"
        self.user_manager.lang = "it_IT"
        self.user_technician_2.lang = "en_US"
        self.team.notify_technician = True
        with freeze_time("2026-03-02 09:00:00"):
            tickets = self.env["aftersales.ticket"].create(
                [
                    {"subject": subject, "partner_id": self.customer.id, "team_id": self.team.id}
                    for subject in ("Leak", "Noise")
                ]
            )
        by_user = {t.user_id: t.activity_ids.summary for t in tickets}
        self.assertTrue(self._is_italian(by_user[self.user_technician]), by_user)
        self.assertTrue(by_user[self.user_technician_2].startswith("New ticket"), by_user)
        # a call recorded already late warns the (Italian) leader on the team
        with freeze_time("2026-03-20 09:00:00"):
            self._create_ticket(subject="Old call", date_open=datetime(2026, 3, 2, 9, 0))
        leader_todo = self.team.activity_ids
        self.assertTrue(leader_todo)
        for todo in leader_todo:
            self.assertTrue(self._is_italian(todo.summary), todo.summary)
            self.assertNotIn("went past their SLA deadline", todo.note)

    def test_status_of_one_ticket_is_singular(self):
        status = dict(
            self.env["aftersales.ticket"]
            .with_context(lang="it_IT")
            ._fields["sla_status"]
            ._description_selection(self.env(context={"lang": "it_IT"}))
        )
        self.assertEqual(status["breached"], "Scaduto")
        self.assertEqual(status["met"], "Rispettato")

    def test_receipt_date_in_the_customer_language_without_seconds(self):
        self.customer.write({"lang": "it_IT", "tz": "Europe/Rome"})
        with freeze_time("2026-03-02 09:00:33"):
            ticket = self._create_ticket(subject="Leak")
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 4, 9, 0, 33))
        template = self.env.ref("aftersales.mail_template_ticket_receipt")
        body = template._render_field("body_html", ticket.ids, compute_lang=True)[ticket.id]
        self.assertIn("04/03/2026 10:00", body)
        self.assertNotIn("10:00:33", body)
