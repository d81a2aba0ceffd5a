"""Every number the add-on stores is a finite number of a sensible size.

PostgreSQL stores ``NaN`` and ``Infinity`` in a float column, and a ``CHECK (x >= 0)``
lets them through (``NaN`` sorts above every number, ``Infinity`` is positive). JSON-RPC
carries them (``NaN``, ``Infinity``, or the strings ``"nan"`` and ``"inf"``, which Odoo
converts with ``float()``), and so does an import. Once stored, the costing and the
billing fail on them (``OverflowError``, ``ValueError``) long after the input.

The rule is one check, for every Float and Monetary field that the add-on declares, on
its own models and on the core models it extends: a value that is not finite, or whose
size is beyond ``NUMBER_LIMIT``, is refused with a ``ValidationError`` naming the field,
before anything is written. ``check_finite_numbers`` is the check; the ``base`` override
below applies it to every ``create`` and ``write``, so that a field added later is
covered without anyone calling it.
"""

import math

from odoo import api, models
from odoo.exceptions import ValidationError

MODULE = "aftersales"
NUMBER_TYPES = ("float", "monetary")
# Above any quantity, hour count, distance, percentage or amount of a service business
# (a thousand billion), and far below where a product of two of them stops being finite.
NUMBER_LIMIT = 1e12


def _as_number(value):
    """``value`` as the float Odoo would store (infinity for an integer too large for a
    float), or None when it is no number (Odoo's own conversion answers for those)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf
    except ValueError:
        return None


def check_finite_numbers(records, vals_list, module=None):
    """Refuse a value of ``vals_list`` (``create``/``write`` values of ``records``' model)
    for a Float or Monetary field that is NaN, infinite or beyond ``NUMBER_LIMIT``.
    ``module``: only the fields that this module declares."""
    fields_ = records._fields
    for vals in vals_list:
        for name, value in vals.items():
            field = fields_.get(name)
            if field is None or field.type not in NUMBER_TYPES:
                continue
            if module and module not in field._modules:
                continue
            number = _as_number(value)
            if number is None or (math.isfinite(number) and abs(number) <= NUMBER_LIMIT):
                continue
            env = records.env
            raise ValidationError(
                env._(
                    "%(field)s (%(model)s) must be a finite number of at most %(limit)s; "
                    "%(value)s is not one.",
                    field=field._description_string(env),
                    model=env["ir.model"].sudo()._get(records._name).name or records._description,
                    limit=f"{NUMBER_LIMIT:,.0f}",
                    value=repr(value[:40]) if isinstance(value, str) else f"{number:g}",
                )
            )


class Base(models.AbstractModel):
    """The check of every number the add-on declares, on every model."""

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        check_finite_numbers(self, vals_list, module=MODULE)
        return super().create(vals_list)

    def write(self, vals):
        check_finite_numbers(self, [vals], module=MODULE)
        return super().write(vals)
