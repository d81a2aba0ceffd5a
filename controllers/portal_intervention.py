import binascii

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class AftersalesInterventionPortal(CustomerPortal):
    """My Interventions: the visits of the visitor's commercial entity, their service
    report, and the customer's signature.

    The list goes through the record rules (``partner_id child_of`` the visitor's
    commercial partner, cancelled ones hidden); every detail route calls
    ``_document_check_access`` before it reads or writes anything, and the signature is
    a JSON-RPC call carrying the CSRF token, as ``sale``'s portal signature. Signing
    stores the signature and queues the signed PDF (``_queue_signed_report``): the
    customer's request never waits for the PDF engine.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_intervention_count" in counters:
            Intervention = request.env["aftersales.intervention"]
            values["aftersales_intervention_count"] = (
                Intervention.search_count(self._aftersales_intervention_domain())
                if Intervention.has_access("read")
                else 0
            )
        return values

    def _aftersales_intervention_domain(self):
        return [("state", "in", ("planned", "in_progress", "done"))]

    def _aftersales_intervention_sortings(self):
        return {
            "date": {
                "label": request.env._("Newest"),
                "order": "date_planned_start desc, id desc",
            },
            "name": {"label": request.env._("Number"), "order": "name desc"},
        }

    @http.route(
        ["/my/interventions", "/my/interventions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_aftersales_interventions(self, page=1, sortby=None, **kw):
        values = self._prepare_portal_layout_values()
        Intervention = request.env["aftersales.intervention"]
        domain = self._aftersales_intervention_domain()
        sortings = self._aftersales_intervention_sortings()
        sortby = sortby if sortby in sortings else "date"
        pager = portal_pager(
            url="/my/interventions",
            url_args={"sortby": sortby},
            total=Intervention.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        interventions = Intervention.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_aftersales_interventions_history"] = interventions.ids[:100]
        values.update(
            {
                "interventions": interventions,
                "page_name": "aftersales_intervention",
                "default_url": "/my/interventions",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("aftersales.portal_my_aftersales_interventions", values)

    @http.route(
        ["/my/interventions/<int:intervention_id>"], type="http", auth="public", website=True
    )
    def portal_my_aftersales_intervention(
        self, intervention_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            intervention_sudo = self._document_check_access(
                "aftersales.intervention", intervention_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=intervention_sudo,
                report_type=report_type,
                report_ref="aftersales.action_report_aftersales_intervention",
                download=download,
            )
        values = self._get_page_view_values(
            intervention_sudo,
            access_token,
            {
                "intervention": intervention_sudo,
                "page_name": "aftersales_intervention",
                "message": kw.get("message"),
            },
            "my_aftersales_interventions_history",
            False,
            **kw,
        )
        return request.render("aftersales.portal_my_aftersales_intervention", values)

    @http.route(
        ["/my/interventions/<int:intervention_id>/sign"],
        type="jsonrpc",
        auth="public",
        website=True,
    )
    def portal_sign_aftersales_intervention(
        self, intervention_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            intervention_sudo = self._document_check_access(
                "aftersales.intervention", intervention_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return {"error": request.env._("Invalid intervention.")}
        if not intervention_sudo._has_to_be_signed():
            return {"error": request.env._("This service report cannot be signed now.")}
        if not signature or not name:
            return {"error": request.env._("Your name and your signature are needed.")}
        try:
            with request.env.cr.savepoint():
                intervention_sudo.write(
                    {"signed_by": name, "signature": signature, "signed_on": fields.Datetime.now()}
                )
                request.env.cr.flush()
        except (TypeError, binascii.Error):
            return {"error": request.env._("Invalid signature data.")}
        except ValidationError as error:
            return {"error": error.args[0]}
        intervention_sudo._queue_signed_report()
        intervention_sudo.message_post(
            author_id=(
                intervention_sudo.partner_id.id
                if request.env.user._is_public()
                else request.env.user.partner_id.id
            ),
            body=request.env._("Service report signed by %s", name),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return {
            "force_refresh": True,
            "redirect_url": intervention_sudo.get_portal_url(query_string="&message=sign_ok"),
        }
