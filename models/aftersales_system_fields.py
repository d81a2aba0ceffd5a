"""Fields the system computes are written by the system only.

The web client never sends read-only fields, but JSON-RPC (``/json/2/...``,
``/web/dataset/call_kw``) can send any field to ``create`` and ``write``. Each model
lists its system fields; values for them are refused unless the caller is the system
itself (code running as superuser). Some fields may be given when a record is created
but changed afterwards only by a manager, through the form, tracked in the chatter.
"""

from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "aftersales.group_aftersales_manager"


def check_system_fields(records, vals_list, system, manager=(), creating=False):
    """Refuse the values of ``vals_list`` that ``records.env``'s caller may not give:
    any of ``system``; any of ``manager`` on an existing record, unless the caller is
    an After-Sales manager."""
    env = records.env
    if env.su:
        return
    sent = set().union(*vals_list) if vals_list else set()
    refused = sent & set(system)
    if not creating and sent & set(manager) and not env.user.has_group(MANAGER_GROUP):
        refused |= sent & set(manager)
    if refused:
        model = env["ir.model"]._get(records._name)
        raise AccessError(
            env._(
                "The system sets these fields of %(model)s, they cannot be written directly: "
                "%(fields)s.",
                fields=", ".join(
                    sorted(records._fields[name]._description_string(env) for name in refused)
                ),
                model=model.name,
            )
        )


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
