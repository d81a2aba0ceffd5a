from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


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
        if contract_sudo._can_be_accepted_in_portal():
            contract_sudo.action_activate()
            contract_sudo.message_post(
                body=request.env._("Renewal accepted by %s in the portal.", request.env.user.name),
                author_id=request.env.user.partner_id.id,
            )
        return request.redirect(contract_sudo.get_portal_url())
