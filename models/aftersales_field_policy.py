"""Who writes which field: one declaration per model, one check for every channel.

The web client never sends read-only fields, but JSON-RPC (``/json/2/...``,
``/web/dataset/call_kw``) can send any field to ``create`` and ``write``. Every model of
the add-on inherits ``aftersales.field.policy`` and declares:

- ``_system_fields``: the fields the add-on's own code sets, its status among them. A
  status moves only through its buttons, which check the flow and then write it as the
  system (``system_writes()``). The fields the model computes or relates read-only are
  the system's too, without being listed.
- ``_manager_fields``: given when the record is created, changed afterwards by an
  After-Sales manager only (tracked in the chatter).
- ``_frozen_fields()``: fields that the record's state has closed (a signed report).

Money is declared on the fields themselves (``groups=MONEY_GROUPS``), so that ``read``,
``search``, ``read_group`` and the pivot's measures refuse it alike; the models list the
prices their users may read in ``_price_fields``. ``tests/test_field_policy.py`` walks
both declarations over every model, field and role.
"""

import contextlib
import contextvars

from odoo import api, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "aftersales.group_aftersales_manager"
# The company's own economics (cost, margin, revenue) are read by those who handle money:
# service managers, accountants and auditors (read-only accounting).
MONEY_GROUPS = (
    "aftersales.group_aftersales_manager,account.group_account_invoice,"
    "account.group_account_readonly"
)

# True, or the names of the fields the running code sets itself
_SYSTEM = contextvars.ContextVar("aftersales_system_writes", default=frozenset())


@contextlib.contextmanager
def system_writes(*fnames):
    """Within this block the add-on's own code writes system fields: all of them (a
    button that has checked its flow, a cron), or only ``fnames``, the values an override
    adds to what its caller sent. The caller's access rights and record rules still
    apply, and nothing a client sends can open this block."""
    current = _SYSTEM.get()
    token = _SYSTEM.set(True if current is True or not fnames else current | set(fnames))
    try:
        yield
    finally:
        _SYSTEM.reset(token)


def _texts(value):
    """The strings of ``value``, within x2many commands and their values too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def check_storable_text(env, values):
    """Refuse text that the database cannot store (a NUL character) with a message in
    words, before anything is written or numbered: PostgreSQL's own refusal names a
    byte and reaches the caller as a driver error."""
    if any("\x00" in text for text in _texts(values)):
        raise UserError(
            env._(
                "Your request contains a character that cannot be saved (a NUL character). "
                "Please remove it, for example by typing the text again, and send it again."
            )
        )


class AftersalesFieldPolicy(models.AbstractModel):
    _name = "aftersales.field.policy"
    _description = "After-Sales Field Write Policy"

    # Declared by each model; see the module's docstring.
    _system_fields = ()
    _manager_fields = ()
    _price_fields = ()

    @api.model
    def _policy_system_fields(self):
        """The declared system fields, and every field of the add-on that the model
        computes without an inverse or relates read-only."""
        derived = {
            name
            for name, field in self._fields.items()
            if field._module == "aftersales"
            and name not in models.MAGIC_COLUMNS
            and field.compute
            and field.readonly
            and not field.inverse
        }
        return derived | set(self._system_fields)

    def _frozen_fields(self):
        """Fields that the current state of ``self`` closes to everyone but the system."""
        return set()

    def _check_field_policy(self, vals_list, creating=False):
        exempt = _SYSTEM.get()
        if self.env.su or exempt is True:
            return
        # who may not write the model at all is told so first, by its access rights
        self.env["ir.model.access"].check(self._name, "create" if creating else "write")
        sent = set().union(*vals_list).difference(exempt) if vals_list else set()
        refused = sent & self._policy_system_fields()
        if not creating:
            refused |= sent & self._frozen_fields()
            if sent & set(self._manager_fields) and not self.env.user.has_group(MANAGER_GROUP):
                refused |= sent & set(self._manager_fields)
        if refused:
            raise AccessError(
                self.env._(
                    "The system sets these fields of %(model)s, they cannot be written "
                    "directly: %(fields)s.",
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in refused)
                    ),
                    model=self.env["ir.model"]._get(self._name).name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_field_policy(vals_list, creating=True)
        check_storable_text(self.env, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_field_policy([vals])
        check_storable_text(self.env, [vals])
        return super().write(vals)

    def copy_data(self, default=None):
        """A copy gets its system fields from the system, not from the original."""
        vals_list = super().copy_data(default=default)
        system = self._policy_system_fields() - set(default or ())
        return [{k: v for k, v in vals.items() if k not in system} for vals in vals_list]
