"""/thu-tuc/: the catalogue, one "about" page per procedure, and the generic booking journey.

* `/thu-tuc/` lists the procedures; `/thu-tuc/<slug>/gioi-thieu/` describes one (every procedure, the identity
  card included).
* `/thu-tuc/<slug>/` is where a procedure starts online, then `dat-lich/` (choose a time), `xac-nhan/` (confirm
  with the code sent to the phone) and `hoan-tat/<token>/` (code, QR, calendar file). This app serves them for
  slugs with a registered form (see `forms/registry.py`). The `procedure` converter does not match other slugs, so
  the identity card's `/thu-tuc/cap-cccd/…` (apps.declarations) is never shadowed, whichever include comes first.
"""

from django.urls import path, register_converter

from . import views
from .converters import RegisteredProcedureConverter

register_converter(RegisteredProcedureConverter, "procedure")

app_name = "procedures"
urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="list"),
    path("<slug:slug>/gioi-thieu/", views.ProcedureDetailView.as_view(), name="detail"),
    path("<procedure:slug>/", views.RequestStartView.as_view(), name="start"),
    path("<procedure:slug>/dat-lich/", views.RequestBookView.as_view(), name="book"),
    path("<procedure:slug>/tiep-tuc/<uuid:draft_id>/", views.RequestResumeView.as_view(), name="resume"),
    path("<procedure:slug>/xac-nhan/", views.RequestConfirmView.as_view(), name="confirm"),
    path("<procedure:slug>/hoan-tat/<str:token>/", views.RequestDoneView.as_view(), name="done"),
    path("<procedure:slug>/hoan-tat/<str:token>/doi-lich/", views.RequestMoveView.as_view(), name="done-move"),
    path("<procedure:slug>/hoan-tat/<str:token>/huy/", views.RequestCancelView.as_view(), name="done-cancel"),
    path("<procedure:slug>/hoan-tat/<str:token>/qr.png", views.RequestQrView.as_view(), name="done-qr"),
    path("<procedure:slug>/hoan-tat/<str:token>/phieu.png", views.RequestSlipView.as_view(), name="done-slip"),
    path("<procedure:slug>/hoan-tat/<str:token>/lich-hen.ics", views.RequestCalendarView.as_view(), name="done-ics"),
]
