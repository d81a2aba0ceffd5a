"""Free text printed on a PDF has a length limit.

The PDF engine (wkhtmltopdf) lays a report out in one go, inside the request that asks
for it: megabytes of text keep a worker busy for minutes, past the server's time limit.
Every free text that the add-on's reports print is therefore bounded, and a longer one
is refused with a message that says which text, how long it is and the limit:

* a rich text (worksheet, terms): ``HTML_TEXT_LIMIT`` characters of text, measured on
  the text content (tags aside), and at most ``HTML_MARKUP_FACTOR`` times as much
  markup;
* a description of several lines: ``LINE_TEXT_LIMIT`` characters;
* a name or a reference: ``NAME_TEXT_LIMIT`` characters.
"""

import math
import re
from textwrap import shorten

from lxml import etree, html

from odoo import api, models
from odoo.exceptions import ValidationError

HTML_TEXT_LIMIT = 20_000

TERMS_TEXT_LIMIT = 60_000

HTML_MARKUP_FACTOR = 10

LINE_TEXT_LIMIT = 5_000

NAME_TEXT_LIMIT = 200

_SPACES = re.compile(r"\s+")


def text_length(field, value):
    """Characters of ``value`` as a reader sees them: for an Html field, the text
    content with its runs of white space counted once."""
    if not value:
        return 0
    if field.type != "html":
        return len(value)
    try:
        text = html.fragment_fromstring(value, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        return len(value)
    return len(_SPACES.sub(" ", text).strip())


def check_text_limits(records, limits):
    """Refuse a value of ``records`` longer than its limit in ``limits`` ({field name:
    characters}); for an Html field, also markup beyond ``HTML_MARKUP_FACTOR`` times the
    limit."""
    env = records.env
    for record in records:
        for name, limit in limits.items():
            field = record._fields[name]
            value = record[name] or ""
            if field.type == "html" and len(value) > limit * HTML_MARKUP_FACTOR:
                length = len(value)
                markup = limit * HTML_MARKUP_FACTOR
                limit_text = env._("%(limit)s characters of formatted text", limit=f"{markup:,}")
            else:
                length = text_length(field, value)
                limit_text = env._("%(limit)s characters", limit=f"{limit:,}")
            if length > limit:
                raise ValidationError(
                    env._(
                        "%(field)s of %(record)s is too long to be printed: %(length)s "
                        "characters, the limit is %(limit)s. Shorten it, or attach the full "
                        "text as a document.",
                        field=field._description_string(env),
                        record=shorten(record.display_name or "", 60, placeholder="..."),
                        length=f"{length:,}",
                        limit=limit_text,
                    )
                )


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
