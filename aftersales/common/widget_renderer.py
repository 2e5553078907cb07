"""A form renderer that writes the plain widgets — inputs, text areas, selects and their
options — in Python, the same markup Django's templates for them write, character for
character; every other template (radio and checkbox lists, multi-widgets, a widget with
a template of its own) goes through the templates as before.

Why: a form page renders each widget through two or three template includes (the input,
its attributes, each option of a select); on the dispute page, with some eighty widgets
and a hundred and fifty options, that was about a third of the whole request. Enabled by
`FORM_RENDERER = "aftersales.common.widget_renderer.WidgetRenderer"`."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
# The templates that are `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "hidden",
        "email",
        "url",
        "password",
        "tel",
        "search",
        "color",
        "date",
        "datetime",
        "time",
        "file",
        "checkbox",
    )
)
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
# What `{{ value }}` in the widget templates does with a value (localize, escape): the
# forms' template engine escapes and localizes by default.
_AS_TEMPLATE = Context(autoescape=True)


def template_text(value) -> str:
    """`{{ value }}`: what a template writes for a value (localized, escaped)."""
    return render_value_in_context(value, _AS_TEMPLATE)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps a safe string safe)."""
    out = str(value)  # what "%s" makes of any value (the filter str()s a tuple first)
    if isinstance(value, SafeData):
        out = mark_safe(out)
    return conditional_escape(out)


def _attrs(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html`."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {template_text(name)}")
        if value is not True:
            out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = ""
    if widget["value"] != None:  # noqa: E711 — the template's `!= None`
        value = f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{template_text(widget["type"])}" name="{template_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = template_text(widget["value"]) if widget["value"] else ""
    name = template_text(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{template_text(option['label'])}</option>"
    )


class WidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is None:
            return super().render(template_name, context, request=request)
        if template_name in INPUTS:
            return mark_safe(_input(widget))
        if template_name == TEXTAREA:
            return mark_safe(_textarea(widget))
        if template_name == SELECT:
            return mark_safe(self._select(widget, context, request))
        return super().render(template_name, context, request=request)

    def _select(self, widget: dict, context: dict, request) -> str:
        out = [f'<select name="{template_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{template_text(group_name)}">')
            for option in group_choices:
                # `{% include option.template_name with widget=option %}`: an included
                # template keeps its last line's newline (only the whole widget is stripped).
                if option["template_name"] == OPTION:
                    html = f"{_option(option)}\n"
                else:
                    html = self.get_template(option["template_name"]).render(
                        {**context, "widget": option}, request=request
                    )
                out.append(f"\n  {html}")
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return "".join(out)
