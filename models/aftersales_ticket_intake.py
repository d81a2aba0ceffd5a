import re

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.mail import formataddr

from .aftersales_field_policy import check_storable_text

SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,}[A-Za-z0-9]")

ATTACHMENT_LIMIT_PARAM = "aftersales.portal_attachment_max_mb"

DEFAULT_ATTACHMENT_LIMIT_MB = 10.0

PORTAL_SUBJECT_MAX = 120  # characters; the form's maxlength says the same


class AftersalesTicket(models.Model):
    """E-mail intake through the team's alias, replies, receipts and stage messages."""

    _inherit = "aftersales.ticket"

    # ------------------------------------------------------------------
    # Incoming e-mail
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new e-mail on a team's alias opens a ticket through the usual ``create``.

        The sender is matched to a contact; an unknown sender either gets a new contact
        or, if the team says so, a rejection while the e-mail is kept on the team.
        """
        values = dict(custom_values or {})
        team = self.env["aftersales.team"].browse(values.get("team_id")).exists()
        sender = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not sender and msg_dict.get("email_from"):
            sender = self._partner_find_from_emails_single([msg_dict["email_from"]], no_create=True)
        if not sender:
            if team.unknown_sender == "reject":
                return team._aftersales_reject_mail(msg_dict)
            sender = self._partner_find_from_emails_single(
                [msg_dict["email_from"]], no_create=False
            )
            msg_dict["author_id"] = sender.id
        text = "%s\n%s" % (
            msg_dict.get("subject") or "",
            tools.html2plaintext(msg_dict.get("body") or ""),
        )
        values.update(
            {
                "name": "/",
                "subject": msg_dict.get("subject") or self.env._("No Subject"),
                "description": msg_dict.get("body"),
                "channel": "email",
                "partner_id": sender.commercial_partner_id.id,
                "contact_id": sender.id,
            }
        )
        lot = self._find_quoted_serial(
            text, sender.commercial_partner_id, team.company_id or self.env.company
        )
        if lot:
            values["lot_id"] = lot.id
        ticket = super().message_new(msg_dict, custom_values=values)
        ticket.message_subscribe(partner_ids=sender.ids)
        return ticket

    @api.model
    def _find_quoted_serial(self, text, customer, company):
        """The first serial of ``customer`` in ``company`` quoted in ``text``, if any."""
        tokens = set(SERIAL_TOKEN.findall(text or ""))
        if not tokens or not customer:
            return self.env["stock.lot"]
        Lot = self.env["stock.lot"].sudo()  # sudo: the gateway matches the customer's serials
        domain = (
            Domain("name", "in", list(tokens))
            & Domain("company_id", "in", [False, company.id])
            & (
                Domain("aftersales_customer_id", "child_of", customer.id)
                | Domain("aftersales_contract_line_ids.partner_id", "=", customer.id)
            )
        )
        return Lot.search(domain, limit=1)

    def _message_post_after_hook(self, message, msg_values):
        """The first public answer of an employee meets the response target."""
        if (
            not self.env.context.get("aftersales_automatic")
            and msg_values.get("message_type") == "comment"
            and msg_values.get("subtype_id") == self.env.ref("mail.mt_comment").id
        ):
            author = self.env["res.partner"].browse(msg_values.get("author_id"))
            if author and not author.partner_share:
                unanswered = self.filtered(lambda t: not t.date_first_reply)
                if unanswered:
                    # sudo: the first reply is a system field, stamped here only
                    unanswered.sudo().write({"date_first_reply": fields.Datetime.now()})
        return super()._message_post_after_hook(message, msg_values)

    # ------------------------------------------------------------------
    # Notifications to the customer
    # ------------------------------------------------------------------
    def _send_receipt(self):
        """Acknowledge new tickets to the customer, for teams that send receipts. The
        e-mails go through the mail queue (see ``_queue_creation_mail``)."""
        tickets = self.filtered(lambda t: t.team_id.notify_receipt and t.partner_email)
        if not tickets:
            return
        template = self.env.ref("aftersales.mail_template_ticket_receipt", raise_if_not_found=False)
        if not template:
            return
        for ticket in tickets._queue_creation_mail().with_context(aftersales_automatic=True):
            ticket.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
                **ticket._receipt_author_values(),
            )

    def _queue_creation_mail(self):
        """``self`` posting through Odoo's mail queue: the e-mails of a new ticket (the
        receipt, the notification of the files a customer sent) are not sent by the
        request that opens it, which would wait for the mail server after its commit,
        but by the queue's cron, woken here to run right after the commit."""
        precommit = self.env.cr.precommit
        if "aftersales.wake_mail_queue" not in precommit.data:
            # once per transaction, at its commit: one wake-up sends every e-mail queued
            precommit.data["aftersales.wake_mail_queue"] = True
            precommit.add(self._wake_mail_queue)
        return self.with_context(mail_notify_force_send=False)

    def _wake_mail_queue(self):
        # sudo: portal users and the mail gateway open tickets too
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

    def _receipt_author_values(self):
        """The receipt comes from the company, with its address (else the team's alias,
        else the database's default sender): never from whoever opened the ticket, who
        may be the customer in the portal and would then not even be sent it."""
        self.ensure_one()
        company = self.company_id
        email = (
            company.email
            or self.team_id.alias_email
            or self.env["ir.mail_server"].sudo()._get_default_from_address()
        )
        return {
            "author_id": company.partner_id.id,
            "email_from": formataddr((company.name, email)) if email else False,
        }

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        stage = ticket.stage_id
        if "stage_id" in changes and stage.mail_template_id and ticket.team_id.notify_stage:
            res["stage_id"] = (
                stage.mail_template_id,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self.env.ref("aftersales.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _creation_message(self):
        """Logged in batch (no subtype, so no notification): cheap for e-mail imports.
        Written in the company's language, whoever opens the ticket."""
        self.ensure_one()
        ticket = self.with_context(lang=(self.company_id or self.env.company)._aftersales_lang())
        return ticket.env._(
            "Ticket opened (%(channel)s).",
            channel=dict(ticket._fields["channel"]._description_selection(ticket.env)).get(
                ticket.channel, ticket.channel
            ),
        )

    def _get_customer_information(self):
        email_normalized_to_values = super()._get_customer_information()
        for ticket in self.filtered("partner_email"):
            email = tools.email_normalize(ticket.partner_email)
            if email:
                values = email_normalized_to_values.setdefault(email, {})
                values.setdefault("parent_id", ticket.commercial_partner_id.id)
        return email_normalized_to_values

    # ------------------------------------------------------------------
    # What the customer portal may do with tickets, checked here rather than in the
    # controller so that the rules hold for any caller.
    # ------------------------------------------------------------------

    @api.model
    def _portal_lots(self):
        """The serials the current portal user may open a ticket for: delivered to their
        commercial entity or covered by one of its contracts, in the company the ticket
        will be opened in (a customer shared by two companies sees each one's own)."""
        user = self.env.user
        customer = user.partner_id.commercial_partner_id
        domain = Domain("aftersales_customer_id", "child_of", customer.id) | Domain(
            "aftersales_contract_line_ids.partner_id", "=", customer.id
        )
        domain &= Domain("company_id", "in", [False, user.company_id.id])
        # sudo: portal users have no access to stock.lot; the domain limits them to theirs
        return self.env["stock.lot"].sudo().search(domain, order="name")

    @api.model
    def _portal_attachment_limit(self):
        """Largest size in megabytes of the files attached to a portal ticket, together."""
        # sudo: portal users cannot read system parameters
        value = self.env["ir.config_parameter"].sudo().get_param(ATTACHMENT_LIMIT_PARAM)
        try:
            megabytes = float(value) if value else DEFAULT_ATTACHMENT_LIMIT_MB
        except ValueError:
            megabytes = DEFAULT_ATTACHMENT_LIMIT_MB
        return megabytes

    @api.model
    def _portal_check_files(self, files):
        """``files``: [(name, bytes, mimetype)]. Refuse them when too large."""
        limit = self._portal_attachment_limit()
        if sum(len(content) for _name, content, _mimetype in files) > limit * 1024 * 1024:
            raise UserError(
                self.env._(
                    "The attached files are too large: at most %(size)s MB in total.",
                    size="%g" % limit,
                )
            )

    @api.model
    def _portal_check_text(self, *texts):
        """Refuse text that the database cannot store (a NUL character), before anything
        is written or numbered."""
        check_storable_text(self.env, texts)

    @api.model
    def _portal_create_ticket(self, subject, description, lot_id=None, files=()):
        """Open a ticket for the current portal user's commercial entity.

        Everything the visitor sends is checked first (their own serial, a subject and a
        description, the size of the files); the ticket is then created through the
        same ``create`` as every other channel.
        """
        user = self.env.user
        self._portal_check_text(subject, description, lot_id, *(name for name, *_ in files))
        subject = (subject or "").strip()
        description = (description or "").strip()
        if not subject or not description:
            raise UserError(self.env._("Please give a subject and describe the problem."))
        if len(subject) > PORTAL_SUBJECT_MAX:
            raise UserError(
                self.env._(
                    "The subject is too long: at most %(max)s characters. Describe the problem "
                    "in the description.",
                    max=PORTAL_SUBJECT_MAX,
                )
            )
        lot = self.env["stock.lot"]
        if lot_id:
            lot_id = str(lot_id)
            lots = self._portal_lots()
            lot = lots.filtered(lambda l: str(l.id) == lot_id) if lot_id.isdigit() else lots[:0]
            if not lot:
                raise UserError(self.env._("This serial number is not one of your machines."))
        self._portal_check_files(files)
        contact = user.partner_id
        # sudo: portal users cannot create tickets directly; the values are checked above
        # and the customer is forced to the visitor's own commercial entity.
        ticket = self.sudo().create(
            {
                "subject": subject,
                "description": description,
                "channel": "portal",
                "partner_id": contact.commercial_partner_id.id,
                "contact_id": contact.id,
                "lot_id": lot.id,
                "company_id": user.company_id.id,
            }
        )
        ticket.message_subscribe(partner_ids=contact.ids)
        if files:
            ticket._queue_creation_mail().message_post(
                body=self.env._("Files sent with the request."),
                attachments=[(name, content) for name, content, _mimetype in files],
                author_id=contact.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return ticket

    # ------------------------------------------------------------------
    # Close and reopen from the portal
    # ------------------------------------------------------------------
    def _team_stages(self):
        self.ensure_one()
        stages = self.team_id.stage_ids or self.env["aftersales.ticket.stage"].search([])
        return stages.sorted()

    def _portal_may_change(self, user):
        """Whether ``user`` may close, reopen or otherwise change this ticket from the
        portal: its customer (the same commercial entity), or someone who may write it
        in the back office. Reading it is not enough. A visitor who is not logged in can
        only have reached it through its access token, sent to the customer: they act
        for the customer."""
        self.ensure_one()
        if user._is_public():
            return True
        if self.commercial_partner_id == user.partner_id.commercial_partner_id:
            return True
        return not user.share and self.with_user(user).has_access("write")

    def _portal_can_close(self):
        self.ensure_one()
        return not self.is_closed and bool(self._team_stages().filtered("is_closing"))

    def _portal_can_reopen(self):
        self.ensure_one()
        return self.is_closed and bool(self._team_stages().filtered(lambda s: not s.is_closing))

    def _portal_close(self, author):
        """Close the ticket at the customer's request (first closing stage of the team)."""
        for ticket in self.filtered(lambda t: t._portal_can_close()):
            ticket.stage_id = ticket._team_stages().filtered("is_closing")[:1]
            ticket.message_post(
                body=self.env._("Closed by the customer in the portal."), author_id=author.id
            )

    def _portal_reopen(self, author):
        for ticket in self.filtered(lambda t: t._portal_can_reopen()):
            ticket.stage_id = ticket._team_stages().filtered(lambda s: not s.is_closing)[:1]
            ticket.message_post(
                body=self.env._("Reopened by the customer in the portal."), author_id=author.id
            )
