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

import re
from textwrap import shorten

from lxml import etree, html

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
