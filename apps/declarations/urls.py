"""Included at the site root (inside i18n_patterns): /thu-tuc/cap-cccd/…"""

import re

from django.urls import path, re_path

from . import views
from .selectors import FORM_STEPS

app_name = "declarations"

J = "thu-tuc/cap-cccd/"
STEP_SLUGS = "|".join(re.escape(step.slug) for step in FORM_STEPS if step.slug)
urlpatterns = [
    path(J, views.step_view, name="start"),
    path(f"{J}lich-hen/", views.appointment_view, name="appointment"),
    path(f"{J}kiem-tra/", views.check_view, name="check"),
    path(f"{J}xac-nhan/", views.confirm_view, name="confirm"),
    path(f"{J}tiep-tuc/<uuid:draft_id>/", views.resume_view, name="resume"),
    # A filing returned for correction, reopened from the lookup (the lookup's signed token in the address).
    path(f"{J}sua/<str:token>/", views.correct_start_view, name="correct"),
    path(f"{J}sua/<str:token>/gui/", views.correct_send_view, name="correct-send"),
    path(f"{J}hoan-tat/<str:token>/", views.done_view, name="done"),
    path(f"{J}hoan-tat/<str:token>/phieu/", views.slip_view, name="slip"),
    path(f"{J}hoan-tat/<str:token>/phieu.png", views.slip_png_view, name="slip-png"),
    path(f"{J}hoan-tat/<str:token>/qr.png", views.receipt_qr_view, name="receipt-qr"),
    path(f"{J}hoan-tat/<str:token>/lich-hen.ics", views.ics_view, name="ics"),
    re_path(r"^thu-tuc/cap-cccd/qr\.(?P<fmt>png|svg)$", views.poster_qr_view, name="poster-qr"),
    # Only the journey's own form steps: other pages under /thu-tuc/cap-cccd/ (e.g. the catalogue's "gioi-thieu")
    # are not shadowed.
    re_path(rf"^thu-tuc/cap-cccd/(?P<slug>{STEP_SLUGS})/$", views.step_view, name="step"),
]
