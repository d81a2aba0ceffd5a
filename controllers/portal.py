from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.aftersales_ticket_intake import PORTAL_SUBJECT_MAX


class AftersalesCustomerPortal(CustomerPortal):
    """My Contracts: the service contracts of the visitor's commercial entity.

    Lists go through the record rules (``partner_id child_of`` the visitor's commercial
    partner); a detail route checks access with ``_document_check_access`` before it reads
    or writes anything.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_contract_count" in counters:
            Contract = request.env["aftersales.contract"]
            values["aftersales_contract_count"] = (
                Contract.search_count(self._aftersales_contract_domain())
                if Contract.has_access("read")
                else 0
            )
        if "aftersales_ticket_count" in counters:
            Ticket = request.env["aftersales.ticket"]
            values["aftersales_ticket_count"] = (
                Ticket.search_count([]) if Ticket.has_access("read") else 0
            )
        return values

    def _aftersales_contract_domain(self):
        return [("state", "in", ("draft", "active", "closed"))]

    def _aftersales_contract_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "date_start desc, id desc"},
            "name": {"label": request.env._("Number"), "order": "name"},
            "end": {"label": request.env._("End Date"), "order": "date_end"},
        }

    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_aftersales_contracts(self, page=1, sortby=None, **kw):
        values = self._prepare_portal_layout_values()
        Contract = request.env["aftersales.contract"]
        domain = self._aftersales_contract_domain()
        sortings = self._aftersales_contract_sortings()
        sortby = sortby if sortby in sortings else "date"
        pager = portal_pager(
            url="/my/contracts",
            url_args={"sortby": sortby},
            total=Contract.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        contracts = Contract.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_aftersales_contracts_history"] = contracts.ids[:100]
        values.update(
            {
                "contracts": contracts,
                "page_name": "aftersales_contract",
                "default_url": "/my/contracts",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("aftersales.portal_my_aftersales_contracts", values)

    @http.route(["/my/contracts/<int:contract_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_contract(
        self, contract_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            contract_sudo = self._document_check_access(
                "aftersales.contract", contract_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=contract_sudo,
                report_type=report_type,
                report_ref="aftersales.action_report_aftersales_contract",
                download=download,
            )
        values = self._get_page_view_values(
            contract_sudo,
            access_token,
            {"contract": contract_sudo, "page_name": "aftersales_contract"},
            "my_aftersales_contracts_history",
            False,
            **kw,
        )
        return request.render("aftersales.portal_my_aftersales_contract", values)

    @http.route(
        ["/my/contracts/<int:contract_id>/accept"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_accept_aftersales_contract(self, contract_id, access_token=None, **kw):
        """The customer accepts a renewal proposal, which becomes the active contract."""
        try:
            contract_sudo = self._document_check_access(
                "aftersales.contract", contract_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not contract_sudo._portal_may_accept(request.env.user):
            raise Forbidden()
        if contract_sudo._can_be_accepted_in_portal():
            contract_sudo.action_activate()
            contract_sudo.message_post(
                body=request.env._("Renewal accepted by %s in the portal.", request.env.user.name),
                author_id=request.env.user.partner_id.id,
            )
        return request.redirect(contract_sudo.get_portal_url())

    # ------------------------------------------------------------------
    # My Tickets
    # ------------------------------------------------------------------
    def _aftersales_ticket_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "date_open desc, id desc"},
            "name": {"label": request.env._("Number"), "order": "name desc"},
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
        }

    def _aftersales_ticket_filters(self):
        return {
            "open": {"label": request.env._("Open"), "domain": [("is_closed", "=", False)]},
            "closed": {"label": request.env._("Closed"), "domain": [("is_closed", "=", True)]},
            "all": {"label": request.env._("All"), "domain": []},
        }

    def _aftersales_ticket_check(self, ticket_id, access_token):
        """The ticket, sudoed, once the visitor is known to have access to it; None
        otherwise. Every ticket route calls this before reading or writing anything;
        routes that change the ticket also check ``_aftersales_ticket_check_change``."""
        try:
            return self._document_check_access(
                "aftersales.ticket", ticket_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return None

    def _aftersales_ticket_check_change(self, ticket_sudo):
        """Refuse a change by a visitor who may read the ticket but is neither its
        customer nor allowed to change it in the back office."""
        if not ticket_sudo._portal_may_change(request.env.user):
            raise Forbidden()

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_aftersales_tickets(self, page=1, sortby=None, filterby=None, **kw):
        values = self._prepare_portal_layout_values()
        Ticket = request.env["aftersales.ticket"]
        sortings = self._aftersales_ticket_sortings()
        filters = self._aftersales_ticket_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby},
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tickets = Ticket.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_aftersales_tickets_history"] = tickets.ids[:100]
        values.update(
            {
                # sudo: the record rules chose the tickets; the page shows their stage,
                # serial and product, which portal users cannot read directly
                "tickets": tickets.sudo(),
                "page_name": "aftersales_ticket",
                "default_url": "/my/tickets",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("aftersales.portal_my_aftersales_tickets", values)

    @http.route(["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_ticket(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._aftersales_ticket_check(ticket_id, access_token)
        if ticket_sudo is None:
            return request.not_found()
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {
                "ticket": ticket_sudo,
                "page_name": "aftersales_ticket",
                "submitted": bool(kw.get("submitted")),
            },
            "my_aftersales_tickets_history",
            False,
            **kw,
        )
        return request.render("aftersales.portal_my_aftersales_ticket", values)

    @http.route(
        ["/my/tickets/<int:ticket_id>/close"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_close_aftersales_ticket(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._aftersales_ticket_check(ticket_id, access_token)
        if ticket_sudo is None:
            return request.not_found()
        self._aftersales_ticket_check_change(ticket_sudo)
        ticket_sudo._portal_close(request.env.user.partner_id)
        return request.redirect(ticket_sudo.get_portal_url())

    @http.route(
        ["/my/tickets/<int:ticket_id>/reopen"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_reopen_aftersales_ticket(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._aftersales_ticket_check(ticket_id, access_token)
        if ticket_sudo is None:
            return request.not_found()
        self._aftersales_ticket_check_change(ticket_sudo)
        ticket_sudo._portal_reopen(request.env.user.partner_id)
        return request.redirect(ticket_sudo.get_portal_url())

    def _aftersales_ticket_form_values(self, **extra):
        Ticket = request.env["aftersales.ticket"]
        return {
            **self._prepare_portal_layout_values(),
            "page_name": "aftersales_ticket_new",
            "lots": Ticket._portal_lots(),
            "max_upload_mb": Ticket._portal_attachment_limit(),
            "subject_max": PORTAL_SUBJECT_MAX,
            **extra,
        }

    @http.route(["/my/tickets/new"], type="http", auth="user", methods=["GET"], website=True)
    def portal_new_aftersales_ticket(self, **kw):
        return request.render(
            "aftersales.portal_new_aftersales_ticket", self._aftersales_ticket_form_values()
        )

    @http.route(["/my/tickets/new"], type="http", auth="user", methods=["POST"], website=True)
    def portal_create_aftersales_ticket(self, subject=None, description=None, lot_id=None, **kw):
        files = []
        for upload in request.httprequest.files.getlist("attachments"):
            content = upload.read()
            if content:
                files.append((upload.filename, content, upload.mimetype))
        try:
            ticket = request.env["aftersales.ticket"]._portal_create_ticket(
                subject, description, lot_id=lot_id or None, files=files
            )
        except UserError as error:
            values = self._aftersales_ticket_form_values(
                error=str(error.args[0] if error.args else error),
                subject=subject or "",
                description=description or "",
                lot_id=lot_id,
            )
            return request.render("aftersales.portal_new_aftersales_ticket", values, status=400)
        return request.redirect(ticket.get_portal_url(query_string="&submitted=1"))
