"""A filing's answers as officers and citizens read them: labelled fields in the current language, whatever the
procedure, and what changed between two versions of them.

A procedure with a short form (apps.procedures.forms) is read by its form's `describe`. A procedure with its own
multi-step form (the identity card, apps.declarations) registers a `MultiStepForm` in its AppConfig.ready():
how to read its stored answers and the name of the page that reopens the form for a correction. So this module
imports no procedure's app, and a new procedure needs nothing here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class AnswerRow:
    key: str  # the stored field's name: what two versions are compared on
    label: str | Promise
    value: str  # readable: "05/09/1990", "Nam", "Phường Khánh Hội, TP Hồ Chí Minh"
    section: str | Promise = ""


@dataclass(frozen=True)
class AnswerChange:
    label: str | Promise
    before: str
    after: str
    section: str | Promise = ""


@dataclass(frozen=True)
class MultiStepForm:
    # describe(answers) -> [AnswerRow]: the stored answers (JSON) as labelled, readable fields.
    describe: Callable[[dict[str, Any]], list[AnswerRow]]
    # The URL name of the page that reopens the form for a filing returned for correction; it takes the lookup's
    # signed token (`token=`), so correcting needs the same lookup (code + phone or date of birth) as reading.
    correct_url_name: str


_MULTI_STEP: dict[str, MultiStepForm] = {}


def multi_step_register(slug: str, form: MultiStepForm) -> None:
    _MULTI_STEP[slug] = form


def multi_step_for(slug: str) -> MultiStepForm | None:
    return _MULTI_STEP.get(slug)


def answers_rows(*, procedure_slug: str, holder_name: str, answers: dict[str, Any]) -> list[AnswerRow]:
    """The answers of a filing of this procedure as labelled fields, in the form's order."""
    from django.utils.translation import gettext_lazy as _

    from apps.procedures.forms.registry import form_class_for

    multi = multi_step_for(procedure_slug)
    if multi is not None:
        return multi.describe(answers or {})
    rows = [AnswerRow(key="holder_name", label=_("Full name"), value=holder_name or "—")]
    form_class = form_class_for(procedure_slug)
    if form_class is None:
        return rows + [AnswerRow(key=k, label=k, value=str(v)) for k, v in (answers or {}).items()]
    answers = answers or {}
    names = [n for n in form_class.data_field_names() if n in answers]
    names += [n for n in answers if n not in names]
    for name in names:
        # One field at a time, so each row keeps its key (what two versions are compared on).
        rows += [
            AnswerRow(key=name, label=label, value=value) for label, value in form_class.describe({name: answers[name]})
        ]
    return rows


def answers_changes(*, before: list[AnswerRow], after: list[AnswerRow]) -> list[AnswerChange]:
    """The fields whose readable value differs between two versions (added or removed fields included)."""
    old = {r.key: r for r in before}
    new = {r.key: r for r in after}
    changes = []
    for key in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(key), new.get(key)
        before_value = a.value if a else "—"
        after_value = b.value if b else "—"
        if before_value != after_value:
            row = b or a
            changes.append(AnswerChange(label=row.label, before=before_value, after=after_value, section=row.section))
    return changes
