"""Widgets rendered in Python rather than through one template per option.

Django renders each <option> and each radio through its own template; with the long official lists (54
ethnic groups, 63 provinces, 168 wards) that dominates a page's rendering time. These widgets build the same
HTML with format_html / format_html_join (which escape every value and label) and cache the options of a list
per language, so a list is rendered once per process and only the selected option changes per request.
"""

import copy

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

_OPTIONS_CACHE: dict[tuple[str, str], str] = {}


def flatatt(attrs: dict) -> str:
    """Like django.forms.utils.flatatt (True = bare attribute, False/None = left out), with one escape per value."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value is not False and value is not None:
            parts.append(f' {key}="{escape(value)}"')
    return mark_safe("".join(parts))  # noqa: S308 (keys are ours, values escaped)


def flat_choices(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from flat_choices(label)
        else:
            yield value, label


class FastSelect(forms.Select):
    """A <select> whose options are built in Python; `options_key` names a fixed list so it is cached."""

    def __init__(self, attrs=None, choices=(), *, options_key: str | None = None):
        super().__init__(attrs, choices)
        self.options_key = options_key

    def __deepcopy__(self, memo):
        # Share the (immutable) choices instead of copying and normalising them again for every form instance.
        obj = copy.copy(self)
        obj.attrs = self.attrs.copy()
        memo[id(self)] = obj
        return obj

    def _options_html(self) -> str:
        key = (self.options_key, get_language() or "") if self.options_key else None
        if key and key in _OPTIONS_CACHE:
            return _OPTIONS_CACHE[key]
        html = format_html_join(
            "",
            '<option value="{}">{}</option>',
            (("" if v is None else v, label) for v, label in flat_choices(self.choices)),
        )
        if key:
            _OPTIONS_CACHE[key] = html
        return html

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        options = self._options_html()
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        if value not in (None, ""):
            needle = format_html('<option value="{}">', value)
            options = options.replace(needle, needle[:-1] + " selected>", 1)
        return format_html("<select{}>{}</select>", flatatt({"name": name, **final_attrs}), mark_safe(options))  # noqa: S308


class FastRadioSelect(forms.RadioSelect):
    """Radios as a list of labelled inputs, built in Python (same markup as Bootstrap's form-check).

    With `options_key` (a fixed list), each rendering (per language, field and checked value: a handful) is kept.
    """

    def __init__(self, attrs=None, choices=(), *, options_key: str | None = None):
        super().__init__(attrs, choices)
        self.options_key = options_key

    def __deepcopy__(self, memo):
        obj = copy.copy(self)
        obj.attrs = self.attrs.copy()
        memo[id(self)] = obj
        return obj

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        value = "" if value is None else str(value)
        key = None
        if self.options_key:
            key = (self.options_key, get_language() or "", name, value, tuple(sorted(final_attrs.items())))
            if key in _OPTIONS_CACHE:
                return _OPTIONS_CACHE[key]
        html = self._render(name, value, final_attrs)
        if key:
            _OPTIONS_CACHE[key] = html
        return html

    def _render(self, name, value, final_attrs):
        base_id = final_attrs.pop("id", f"id_{name}")
        final_attrs.pop("class", None)
        required = mark_safe(" required" if final_attrs.pop("required", False) else "")  # noqa: S308
        index = 0
        parts = []
        # Grouped choices ((group label, ((value, label), …)), …) get a small heading per group.
        groups = [
            (group, options) if isinstance(options, list | tuple) else (None, ((group, options),))
            for group, options in self.choices
        ]
        for heading, options in groups:
            rows = []
            for choice, label in options:
                if choice in (None, ""):
                    continue
                checked = mark_safe(" checked" if str(choice) == value else "")  # noqa: S308
                rows.append((f"{base_id}_{index}", name, choice, checked, required, f"{base_id}_{index}", label))
                index += 1
            items = format_html_join(
                "",
                '<div class="form-check"><input class="form-check-input" type="radio" id="{}" name="{}" value="{}"{}{}>'
                '<label class="form-check-label" for="{}">{}</label></div>',
                rows,
            )
            parts.append(format_html('<p class="j-group">{}</p>{}', heading, items) if heading else items)
        return format_html('<div id="{}"{}>{}</div>', base_id, flatatt(final_attrs), mark_safe("".join(parts)))  # noqa: S308

    def id_for_label(self, id_, index=None):
        # The group is labelled by a <legend>; each radio has its own label.
        return ""


class FastInput(forms.TextInput):
    """<input> built in Python (text, tel, email, with inputmode/autocomplete attributes as given)."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.setdefault("type", self.input_type)
        value = self.format_value(value)
        if value not in (None, ""):
            final_attrs["value"] = value
        return format_html("<input{}>", flatatt({"name": name, **final_attrs}))


class FastCheckbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.update(type="checkbox", name=name, value="1")
        if self.check_test(value):
            final_attrs["checked"] = True
        return format_html("<input{}>", flatatt(final_attrs))
