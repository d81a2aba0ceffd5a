"""Rows that a model hands to a QWeb report, read only with the keys they have.

A template reads a row with ``row.get('x')`` or ``row['x']``. A plain dict answers
``None`` to a key it does not have, and the report prints an empty cell or a default
("1 Units") with no one noticing. A ``ReportRow`` refuses any key it was not given, so
a template that reads a key the model does not give fails to render, in the tests first.
"""


class ReportRow(dict):
    """A dict whose ``get`` and ``[]`` raise ``KeyError`` for a key it does not hold."""

    __slots__ = ()

    def __missing__(self, key):
        raise KeyError(
            f"A report reads the key {key!r} of a row that has only {sorted(self)!r}: "
            "the template and the model that fills it disagree."
        )

    def get(self, key, default=None):
        return self[key]
