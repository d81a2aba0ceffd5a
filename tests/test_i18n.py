import polib

from odoo.tests import tagged
from odoo.tools import file_path
from odoo.tools.translate import TranslationModuleReader

from .common.base import AftersalesCase

SAME = "same in Italian"


@tagged("post_install", "-at_install")
class TestItalian(AftersalesCase):
    """Italian users are first-class: every term of the module is translated."""

    def test_it_po_is_complete(self):
        po = polib.pofile(file_path("aftersales/i18n/it.po"))
        translated = {entry.msgid for entry in po if entry.msgstr or entry.tcomment == SAME}
        terms = {
            source
            for module, *_rest, source, _value, _comments in TranslationModuleReader(
                self.env.cr, modules=["aftersales"]
            )
            if module == "aftersales" and source
        }
        self.assertTrue(terms)
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"{len(missing)} terms missing from i18n/it.po: {missing[:20]}")

    def test_italian_is_loaded(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(["aftersales"], ["it_IT"], overwrite=True)
        menu = self.env.ref("aftersales.aftersales_contract_menu").with_context(lang="it_IT")
        self.assertEqual(menu.name, "Contratti")
        contract = self._create_contract(activate=False).with_context(lang="it_IT")
        self.assertEqual(
            contract.env._("Nothing is due for invoicing today."),
            "Oggi non c'è nulla da fatturare.",
        )
        state = dict(contract._fields["state"]._description_selection(contract.env))["draft"]
        self.assertEqual(state, "Proposta")
