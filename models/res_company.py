from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_invoice_post = fields.Boolean(
        string="Post Contract Invoices",
        help="Post the invoices made by the contract invoicing run instead of leaving them "
        "as drafts.",
    )

    def _aftersales_lang(self):
        """The language of the history the system writes on the company's records
        (creation lines in the chatter): the company's own when it is active, so that an
        install, an import or a cron running in English still writes Italian for an
        Italian dealer; else the current one."""
        self.ensure_one()
        return self.env["res.lang"]._get_code(self.partner_id.lang or "") or self.env.lang
