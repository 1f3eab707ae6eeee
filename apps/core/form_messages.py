"""The project's form error messages, in one place, used by every form (citizen journeys and back office).

Django's stock messages say what is wrong, sometimes with a raw value ("Hãy chọn một lựa chọn hợp lệ. 27286 không
phải là một trong các lựa chọn khả thi."); these say what to do, and never echo what was typed. `install()` makes
them the defaults of Django's form fields, model fields and validators. It runs when the apps are loaded
(apps/core/apps.py), before any form class is defined, so every field created afterwards starts with them. A form
can still give one field a more specific message (e.g. "Enter your full name as on your birth certificate").
"""

from django import forms
from django.core import validators
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

FILL_IN = _("Please fill in this field.")
CHOOSE = _("Please choose one of the options.")
TICK = _("Please tick this box to continue.")
CHOOSE_FILE = _("Please choose a file to send.")
CHOOSE_AGAIN = _("What was chosen is not in the list. Please choose again from the list.")
WHOLE_NUMBER = _("Please enter a number, using digits only.")
NUMBER = _("Please enter a number, for example 12.")
DATE = _("Please enter the date as day/month/year, for example 05/09/1990.")
TIME = _("Please enter the time as hours:minutes, for example 14:30.")
DATE_TIME = _("Please enter the date and time as day/month/year hours:minutes, for example 05/09/2026 14:30.")
EMAIL = _("Please enter an e-mail address like name@example.com.")
WEB_ADDRESS = _("Please enter a web address like https://example.com.")
FILE_MISSING = _("The file did not arrive. Please choose it again.")
FILE_EMPTY = _("The file you chose is empty. Please choose another file.")
FILE_AND_CLEAR = _("Please either choose a new file or tick “clear”, not both.")
NOT_A_PHOTO = _("This file is not a photo we can open. Please choose a JPEG or PNG photo.")
TOO_LONG = ngettext_lazy(
    "Please shorten this to at most %(limit_value)d character (it has %(show_value)d).",
    "Please shorten this to at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
TOO_SHORT = ngettext_lazy(
    "Please enter at least %(limit_value)d character (it has %(show_value)d).",
    "Please enter at least %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
TOO_LARGE = _("Please enter a number no larger than %(limit_value)s.")
TOO_SMALL = _("Please enter a number no smaller than %(limit_value)s.")

FORM_FIELD_MESSAGES = {
    forms.Field: {"required": FILL_IN},
    forms.ChoiceField: {"required": CHOOSE, "invalid_choice": CHOOSE_AGAIN},
    forms.MultipleChoiceField: {"required": CHOOSE, "invalid_choice": CHOOSE_AGAIN, "invalid_list": CHOOSE_AGAIN},
    forms.ModelChoiceField: {"required": CHOOSE, "invalid_choice": CHOOSE_AGAIN},
    forms.ModelMultipleChoiceField: {
        "required": CHOOSE,
        "invalid_choice": CHOOSE_AGAIN,
        "invalid_list": CHOOSE_AGAIN,
        "invalid_pk_value": CHOOSE_AGAIN,
    },
    forms.BooleanField: {"required": TICK},
    forms.IntegerField: {"invalid": WHOLE_NUMBER},
    forms.FloatField: {"invalid": NUMBER},
    forms.DecimalField: {"invalid": NUMBER},
    forms.DateField: {"invalid": DATE},
    forms.TimeField: {"invalid": TIME},
    forms.DateTimeField: {"invalid": DATE_TIME},
    forms.SplitDateTimeField: {"invalid_date": DATE, "invalid_time": TIME},
    forms.URLField: {"invalid": WEB_ADDRESS},
    forms.FileField: {
        "required": CHOOSE_FILE,
        "invalid": FILE_MISSING,
        "missing": FILE_MISSING,
        "empty": FILE_EMPTY,
        "contradiction": FILE_AND_CLEAR,
    },
    forms.ImageField: {"invalid_image": NOT_A_PHOTO},
}
MODEL_FIELD_MESSAGES = {
    models.Field: {"blank": FILL_IN, "null": FILL_IN, "invalid_choice": CHOOSE_AGAIN},
    models.DateField: {"invalid": DATE, "invalid_date": DATE},
    models.DateTimeField: {"invalid": DATE_TIME, "invalid_date": DATE},
    models.IntegerField: {"invalid": WHOLE_NUMBER},
}
VALIDATOR_MESSAGES = {
    validators.EmailValidator: EMAIL,
    validators.URLValidator: WEB_ADDRESS,
    validators.MaxLengthValidator: TOO_LONG,
    validators.MinLengthValidator: TOO_SHORT,
    validators.MaxValueValidator: TOO_LARGE,
    validators.MinValueValidator: TOO_SMALL,
}


def install() -> None:
    """Makes the messages above Django's defaults (idempotent)."""
    for table in (FORM_FIELD_MESSAGES, MODEL_FIELD_MESSAGES):
        for field_class, messages in table.items():
            # Each class gets its own dict: updating an inherited one would change the parent's messages too.
            field_class.default_error_messages = {**field_class.__dict__.get("default_error_messages", {}), **messages}
    for validator_class, message in VALIDATOR_MESSAGES.items():
        validator_class.message = message
