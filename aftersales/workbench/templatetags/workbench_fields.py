"""The dispute page's form fields — label, widget, help and errors — written in Python,
the markup the field templates wrote, character for character, without a template
include per field (on the dispute page, with some eighty fields, the includes were a
fifth of the request; see docs/workbench.md "How the pages stay fast").

    {% load workbench_fields %}
    {% core_fields form %}            each visible field as a field block of the actions
    {% core_field field %}            radio and checkbox lists as a fieldset, a checkbox
                                      after its box, any other with its label above
    {% mediation_fields fields %}     fields (a form's visible ones, or a list of them)
    {% mediation_field field %}       a checkbox list as a fieldset with its help text
    {% remedy_line line n %}          one row of the proposal builder's remedy lines
    {% core_form_top form %}          a form's CSRF token, hidden fields and own errors
    {% mediation_form_top form %}     the same, without the decision (its buttons)
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from aftersales.common.widget_renderer import template_text as t

register = template.Library()
CHOICE_LISTS = ("radioselect", "checkboxselectmultiple")


def _errors(errors, field=None) -> str:
    """The field's error list; with `field`, identified for aria-describedby."""
    if not errors:
        return ""
    named = f' id="{t(field.auto_id)}_error"' if field is not None else ""
    return f'<ul class="errorlist"{named}>{"".join(f"<li>{t(e)}</li>" for e in errors)}</ul>'


def _labelled(field, invalid: str) -> str:
    """A field with its label above and its help text (identified) below."""
    help_text = ""
    if field.help_text:
        help_text = f'<p class="help" id="{t(field.auto_id)}_helptext">{t(field.help_text)}</p>'
    return (
        f'<div class="field{invalid}"><label for="{t(field.id_for_label)}">{t(field.label)}'
        f"</label>{field}{help_text}{_errors(field.errors, field)}</div>"
    )


def core_block(field) -> str:
    invalid = " invalid" if field.errors else ""
    kind = field.widget_type
    if kind in CHOICE_LISTS:
        return (
            f'<fieldset class="field choices{invalid}"><legend>{t(field.label)}</legend>'
            f"{field}{_errors(field.errors, field)}</fieldset>\n"
        )
    if kind == "checkbox":
        return (
            f'<div class="field check{invalid}">{field} <label for="{t(field.id_for_label)}">'
            f"{t(field.label)}</label>{_errors(field.errors, field)}</div>\n"
        )
    return _labelled(field, invalid) + "\n"


def mediation_block(field) -> str:
    invalid = " invalid" if field.errors else ""
    if field.widget_type == "checkboxselectmultiple":
        help_text = f'<p class="help">{t(field.help_text)}</p>' if field.help_text else ""
        return (
            f'<fieldset class="field choices{invalid}"><legend>{t(field.label)}</legend>'
            f"{field}{help_text}{_errors(field.errors, field)}</fieldset>\n"
        )
    return _labelled(field, invalid) + "\n"


@register.simple_tag
def core_field(field):
    return mark_safe(core_block(field))


@register.simple_tag
def core_fields(form):
    return mark_safe("".join(core_block(field) for field in form.visible_fields()))


@register.simple_tag
def mediation_field(field):
    return mark_safe(mediation_block(field))


@register.simple_tag
def mediation_fields(fields):
    if hasattr(fields, "visible_fields"):
        fields = fields.visible_fields()
    return mark_safe("".join(mediation_block(field) for field in fields))


# (field name, column label, the screen reader's label of the field on line n)
LINE_CELLS = (
    ("code", "解决办法", "第 %(n)s 项解决办法"),
    ("amount", "金额（元）", "第 %(n)s 项金额（元）"),
    ("deadline_days", "办理期限（日）", "第 %(n)s 项办理期限（日）"),
    ("shipping_paid_by", "运费承担", "第 %(n)s 项运费承担"),
    ("note", "备注", "第 %(n)s 项备注"),
)


def _numbered(msgid: str, n) -> str:
    """`{% blocktranslate trimmed %}…{{ n }}…{% endblocktranslate %}`."""
    return gettext(msgid) % {"n": t(n)}


@register.simple_tag
def remedy_line(line, n):
    """A row of the remedy lines: each cell labelled for the narrow screen (data-label)
    and for screen readers (the line's number), the line's own errors under its first
    cell, the other options folded."""
    cells = []
    for i, (name, column, label) in enumerate(LINE_CELLS):
        field = line[name]
        errors = _errors(field.errors)
        if i == 0:
            errors += _errors(line.non_field_errors())
        cells.append(
            f'<td data-label="{t(gettext(column))}"><label class="sr-only" '
            f'for="{t(field.id_for_label)}">{_numbered(label, n)}</label>{field}{errors}</td>\n'
        )
    opened = " open" if line.options_open() else ""
    options = "".join(mediation_block(field) for field in line.option_fields())
    cells.append(
        f'<td data-label="{t(gettext("其他选项"))}"><details class="line-options"{opened}>'
        f"<summary>{_numbered('第 %(n)s 项其他选项', n)}</summary>{options}</details></td>\n"
    )
    cells.append(
        f'<td data-label="{t(gettext("操作"))}"><button type="button" class="remove-line" '
        f"hidden>{_numbered('删除第 %(n)s 项', n)}</button></td>\n"
    )
    return mark_safe(f'<tr class="line">\n{"".join(cells)}</tr>\n')


def _form_top(context, form, skip: tuple[str, ...]) -> str:
    """The CSRF token, the hidden fields (`seen`: the newest event the page shows, the
    version a stale form is told by) and the form's own errors above its fields."""
    hidden = []
    for h in form.hidden_fields():
        if h.name == "seen":
            seen = context.get("last_event_id") or ""
            hidden.append(f'<input type="hidden" name="{t(h.html_name)}" value="{t(seen)}">')
        elif h.name not in skip:
            hidden.append(str(h))
    errors = ""
    if getattr(form, "conflict", None):
        message = gettext("未保存：投诉已被他人更新，请看页面顶部列出的变化后再提交。")
        errors = f'<p class="errorlist nonfield" role="alert">{t(message)}</p>'
    elif form.non_field_errors():
        items = "".join(f"<li>{t(e)}</li>" for e in form.non_field_errors())
        errors = f'<ul class="errorlist nonfield" role="alert">{items}</ul>'
    return f"{CsrfTokenNode().render(context)}{''.join(hidden)}\n{errors}\n"


@register.simple_tag(takes_context=True)
def core_form_top(context, form):
    return mark_safe(_form_top(context, form, ()))


@register.simple_tag(takes_context=True)
def mediation_form_top(context, form):
    """The decision is the button the user presses, not a hidden field."""
    return mark_safe(_form_top(context, form, ("decision",)))
