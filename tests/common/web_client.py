"""What the web client asks the server when a user opens a menu, an action or a form.

Odoo 19's web client loads an action's views with ``get_views``, builds the field
specification of each view from its arch (``getFieldsSpec`` in
``web/static/src/model/relational_model/utils.js``: a many2one reads its display name,
an x2many the fields of its embedded sub-views) and reads the records with
``web_search_read`` and ``web_read``. Doing the same here, as a given user, finds every
field that this user's views show but that the user cannot read.
"""

from contextlib import nullcontext

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

SUBVIEW_TAGS = ("list", "kanban", "form")
RECORD_VIEWS = ("list", "kanban", "activity", "calendar")
ALWAYS_INVISIBLE = ("1", "True")
# many2one widgets that show no link to the record's form
NO_LINK_WIDGETS = ("selection", "radio", "statusbar", "badge")


def _merge(spec, other):
    for name, field_spec in other.items():
        if name in spec and "fields" in field_spec:
            spec[name].setdefault("fields", {})
            _merge(spec[name]["fields"], field_spec["fields"])
            spec[name].update({k: v for k, v in field_spec.items() if k != "fields"})
        else:
            spec.setdefault(name, field_spec)
    return spec


def _field_nodes(node):
    """The <field> nodes of a view, not those of the sub-views embedded in them."""
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field":
            yield child
        else:
            yield from _field_nodes(child)


def fields_spec(model, view_node):
    """The specification the web client reads a view's records with."""
    spec = {}
    for node in _field_nodes(view_node):
        name = node.get("name")
        field = model._fields.get(name)
        if field is None:
            continue
        invisible = node.get("invisible") in ALWAYS_INVISIBLE
        if field.type == "many2one":
            field_spec = {"fields": {} if invisible else {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            comodel = model.env[field.comodel_name]
            subviews = [child for child in node if child.tag in SUBVIEW_TAGS]
            if subviews and not invisible:
                sub_spec = {}
                for subview in subviews:
                    _merge(sub_spec, fields_spec(comodel, subview))
                field_spec = {"fields": sub_spec, "limit": 40}
            elif node.get("widget") and not invisible:
                field_spec = {"fields": {"display_name": {}}}
            else:
                field_spec = {}
        else:
            field_spec = {}
        _merge(spec, {name: field_spec})
    return spec


def record_context(env, record, values):
    """What a form's expressions (``invisible``, ``context``) read: the record's values
    as ``web_read`` gives them, ids for relations."""
    context = {**eval_context(env), "context": dict(env.context), "id": record.id}
    for name, value in values.items():
        if isinstance(value, dict):
            value = value.get("id", False)
        elif isinstance(value, list):
            value = [item["id"] if isinstance(item, dict) else item for item in value]
        context[name] = value
    return context


def is_invisible(node, context):
    """Whether the web client hides ``node`` for a record (``context``): an expression
    it alone can evaluate (``parent``, ...) counts as visible."""
    expression = node.get("invisible")
    if not expression:
        return False
    if expression in ALWAYS_INVISIBLE:
        return True
    try:
        return bool(safe_eval(expression, context))
    except (NameError, AttributeError, KeyError, TypeError, ValueError):
        return False


def visible_nodes(node, context, tag):
    """The ``tag`` nodes of a form that the web client shows for a record: not hidden,
    nor inside a hidden element. Not those of the sub-views embedded in x2many fields."""
    for child in node:
        if not isinstance(child.tag, str) or is_invisible(child, context):
            continue
        if child.tag == tag:
            yield child
        if child.tag != "field":
            yield from visible_nodes(child, context, tag)


def link_nodes(model, node, context):
    """The many2one fields of a form that the web client shows with a link to the
    record's own form (``Many2One.openRecord``): visible, not ``no_open``, not a widget
    without a link."""
    for child in visible_nodes(node, context, "field"):
        field = model._fields.get(child.get("name"))
        if field is None or field.type != "many2one" or child.get("widget") in NO_LINK_WIDGETS:
            continue
        if safe_eval(child.get("options") or "{}").get("no_open"):
            continue
        yield child, field


def eval_context(env, active_id=False):
    return {
        "uid": env.uid,
        "user": env.user,
        "context_today": lambda: safe_datetime.date.today(),
        "datetime": safe_datetime,
        "relativedelta": relativedelta,
        "time": safe_time,
        "allowed_company_ids": env.companies.ids,
        "active_id": active_id,
        "active_ids": [active_id] if active_id else [],
        "active_model": False,
        "current_company_id": env.company.id,
    }


class WebClient:
    """Opens actions and forms as ``env.user`` does in the browser; records what it read."""

    def __init__(self, env):
        self.env = env
        self.read = []  # (model, view type, ids) of every read, for the tests' assertions
        self.linked = set()  # (model, id, form_view_ref) of every link followed

    def _new_request(self):
        """Each call of the web client is a request with an empty record cache: what
        another user (or the test's set-up) read stays out of it, as access checks
        are made on what is fetched."""
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Menus and actions
    # ------------------------------------------------------------------
    def visible_menus(self, module):
        menus = self.env["ir.ui.menu"].load_menus(debug=False)
        return [
            menu
            for key, menu in menus.items()
            if key != "root" and menu["xmlid"].startswith(f"{module}.")
        ]

    def open_action(self, action, active_id=False, follow=True):
        """Open a window action (a record, as /web/action/load sends it, or the dict a
        button returns): every view, its records with each view's specification, and,
        when ``follow``, what the smart buttons of its form open."""
        self._new_request()
        if not isinstance(action, dict):
            action = action.with_env(self.env).sudo()._get_action_dict()
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(context, eval_context(self.env, active_id))
        model = self.env[action["res_model"]].with_context(**context)
        views = action.get("views") or [(False, mode) for mode in action["view_mode"].split(",")]
        views = [(view_id or False, mode) for view_id, mode in views]
        search_view = action.get("search_view_id") or False
        if isinstance(search_view, list | tuple):
            search_view = search_view[0]
        result = model.get_views([*views, (search_view, "search")], {"load_filters": True})
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, eval_context(self.env, active_id))
        domain = list(domain) + self._default_filters(result["views"]["search"], context)
        if action.get("res_id"):
            records = model.browse(action["res_id"])
        else:
            records = model.search(domain, limit=80)
        for _view_id, mode in views:
            self._open_view(model, mode, result["views"][mode]["arch"], domain, records, follow)
        return records

    def _default_filters(self, search_view, context):
        arch = etree.fromstring(search_view["arch"])
        domain = []
        for node in arch.iter("filter"):
            name = node.get("name")
            if name and context.get(f"search_default_{name}") and node.get("domain"):
                domain += safe_eval(node.get("domain"), eval_context(self.env))
        return domain

    def _open_view(self, model, mode, arch, domain, records, follow):
        root = etree.fromstring(arch)
        if mode in RECORD_VIEWS:
            spec = fields_spec(model, root)
            model.web_search_read(domain, specification=spec, limit=80)
            self.read.append((model._name, mode, records.ids))
            if root.get("default_group_by"):
                model.web_read_group(
                    domain,
                    [root.get("default_group_by")],
                    ["__count"],
                    auto_unfold=True,
                    unfold_read_specification=spec,
                )
        elif mode in ("pivot", "graph"):
            groupby = [
                node.get("name")
                for node in root.iter("field")
                if node.get("type") in ("row", "col") or (mode == "graph" and not node.get("type"))
            ]
            groupby = [
                f"{name}:month" if model._fields[name].type in ("date", "datetime") else name
                for name in groupby
            ]
            model.formatted_read_group(domain, groupby[:1], ["__count"])
        elif mode == "form" and records:
            self.open_form(records[:1], arch=arch, follow=follow)

    def open_form(self, record, arch=None, follow=True, view_id=False):
        """Read ``record`` with its form view's specification, then press the smart
        buttons that the form shows for it and open what they return: all of them when
        ``follow`` is True, those whose method name contains ``follow`` when it is a
        string."""
        self._new_request()
        record = record.with_env(self.env)
        if arch is None:
            arch = record.get_views([(view_id, "form")])["views"]["form"]["arch"]
        root = etree.fromstring(arch)
        spec = {"display_name": {}, **fields_spec(record, root)}
        values = record.web_read(spec)
        self.read.append((record._name, "form", record.ids))
        if not follow:
            return values
        context = record_context(self.env, record, values[0])
        for button in visible_nodes(root, context, "button"):
            if button.get("type") != "object" or "oe_stat_button" not in (
                button.get("class") or ""
            ):
                continue
            if isinstance(follow, str) and follow not in button.get("name"):
                continue
            action = getattr(record, button.get("name"))()
            if isinstance(action, dict) and action.get("res_model"):
                self.open_action(action, active_id=record.id, follow=False)
        return values

    def follow_links(self, record, arch, values, names=None, on_link=None):
        """Click the link of each many2one of the form ``arch`` (read with ``values``)
        that has a value: the web client asks the target model for its form action
        (``get_formview_action``) in the field's context, so a ``form_view_ref`` there
        chooses the form, then loads that form and reads the record with it. Only the
        fields named in ``names`` when given; a link already followed by this client is
        not followed again. ``on_link(field, target)`` wraps each click (a context
        manager, e.g. a sub-test). Returns the targets opened."""
        record = record.with_env(self.env)
        context = record_context(self.env, record, values)
        targets = []
        for node, field in link_nodes(record, etree.fromstring(arch), context):
            if (names is not None and field.name not in names) or not values.get(field.name):
                continue
            field_context = safe_eval(node.get("context") or "{}", context)
            target = (
                self.env[field.comodel_name]
                .browse(values[field.name]["id"])
                .with_context(**field_context)
            )
            key = (target._name, target.id, field_context.get("form_view_ref"))
            if key in self.linked:
                continue
            self.linked.add(key)
            with on_link(field, target) if on_link else nullcontext():
                self.open_action(target.get_formview_action(), follow=False)
            targets.append(target)
        return targets
