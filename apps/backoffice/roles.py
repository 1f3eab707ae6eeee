"""The officers' roles: Django groups with the permissions each job needs, kept in code and applied by
`services.roles_setup` (the `setup_roles` command, also run by `load_demo`).

Permissions are written "app_label.codename"; the codename may use shell wildcards ("news.*",
"reports.view_*"), so a role keeps working as apps add models. Permissions of apps not installed yet are simply
skipped: run `manage.py setup_roles` again after deploying new apps.

Which *records* an officer sees is a separate matter (the officer's units, see `scoping`): a counter officer of
Ward 1 has the same permissions as one of Ward 8, over different rows.
"""

from django.utils.translation import gettext_lazy as _

# Group names are data officers read in the Vietnamese back office, so they are stored in Vietnamese. These are
# the only officers' groups: news and reports use them too.
REVIEWER = "Cán bộ kiểm tra hồ sơ"
COUNTER_OFFICER = "Cán bộ tiếp nhận tại quầy"
UNIT_ADMINISTRATOR = "Quản trị đơn vị"
NEWS_EDITOR = "Biên tập tin tức"
REPORT_HANDLER = "Cán bộ xử lý phản ánh"
DISTRICT_ADMINISTRATOR = "Quản trị cấp quận"
DATA_PROTECTION_OFFICER = "Cán bộ bảo vệ dữ liệu cá nhân"

# Roles that see citizens' personal data: signing in needs a second factor (apps.backoffice.signin).
PERSONAL_DATA_ROLES = (
    REVIEWER,
    COUNTER_OFFICER,
    UNIT_ADMINISTRATOR,
    REPORT_HANDLER,
    DISTRICT_ADMINISTRATOR,
    DATA_PROTECTION_OFFICER,
)

_SEE_UNITS = ["units.view_policeunit", "procedures.view_procedure"]
_REVIEW = [
    # Every procedure's filings (the identity card's included) are reviewed alike.
    "filings.view_filing",
    "filings.change_filing",
    "filings.view_filingevent",
    "appointments.view_*",
]
_COUNTER = [
    "appointments.view_*",
    "appointments.change_appointment",
    "filings.view_filing",
    "filings.view_filingevent",
    "backoffice.check_in",
    "backoffice.view_arrival",
]
_NEWS = ["news.*"]
# Events and photos are records of what happened: officers read them, only the report itself changes.
_REPORTS = ["reports.view_*", "reports.change_report"]

ROLES: dict[str, dict] = {
    DATA_PROTECTION_OFFICER: {
        "description": _("Answers citizens' requests about their data: finds, exports and erases it."),
        "permissions": ["privacy.handle_subject_request", "privacy.view_subjectrequest"],
    },
    REVIEWER: {
        "description": _("Reviews citizens' filings of the officer's units."),
        "permissions": [*_SEE_UNITS, *_REVIEW],
    },
    COUNTER_OFFICER: {
        "description": _("Runs the counter: the day's roster, check-in, moving bookings."),
        "permissions": [*_SEE_UNITS, *_COUNTER],
    },
    UNIT_ADMINISTRATOR: {
        "description": _("Everything in the officer's units: reviews, counter, schedules, contact details."),
        "permissions": [
            *_SEE_UNITS,
            *_REVIEW,
            *_COUNTER,
            "appointments.*",
            "units.change_policeunit",
            "units.*_unitphone",
            "units.*_openinghours",
            *_NEWS,
            *_REPORTS,
            "reports.assign_report",
            # Resending the messages of their unit's closed days (the closure's page, scoped to their units);
            # without notifications.view_* they have no list of every message.
            "notifications.resend_notification",
        ],
    },
    NEWS_EDITOR: {
        "description": _("Writes and publishes the unit's news."),
        "permissions": [*_SEE_UNITS, *_NEWS],
    },
    REPORT_HANDLER: {
        "description": _("Handles citizens' reports sent to the unit."),
        "permissions": [*_SEE_UNITS, *_REPORTS],
    },
    DISTRICT_ADMINISTRATOR: {
        "description": _("Sees and manages every unit's records and reads the audit log."),
        "permissions": [
            "backoffice.access_all_units",
            "backoffice.view_auditlogentry",
            "backoffice.check_in",
            "backoffice.view_arrival",
            "units.*",
            "procedures.*",
            "appointments.*",
            "filings.view_filing",
            "filings.change_filing",
            "filings.view_filingevent",
            *_NEWS,
            *_REPORTS,
            "reports.assign_report",
            "accounts.view_user",
            "notifications.view_*",
            "notifications.resend_notification",
            "axes.view_*",
            # Unlocking an officer locked out by wrong passwords is deleting their failed attempts.
            "axes.delete_accessattempt",
            # An officer who lost their phone: remove the authenticator device so they can set up a new one.
            "privacy.view_privacynotice",
            "privacy.add_privacynotice",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
        ],
    },
}
