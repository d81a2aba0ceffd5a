from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .aftersales_field_policy import check_storable_text

ATTACHMENT_LIMIT_PARAM = "aftersales.portal_attachment_max_mb"
DEFAULT_ATTACHMENT_LIMIT_MB = 10.0
PORTAL_SUBJECT_MAX = 120  # characters; the form's maxlength says the same


class AftersalesTicket(models.Model):
    """What the customer portal may do with tickets, checked here rather than in the
    controller so that the rules hold for any caller."""

    _inherit = "aftersales.ticket"

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
