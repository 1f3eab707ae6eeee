"""/thu-tuc/: the catalogue, one "about" page per procedure, and the generic booking journey.

* `/thu-tuc/` lists the procedures; `/thu-tuc/<slug>/gioi-thieu/` describes one (every procedure, the identity
  card included).
* `/thu-tuc/<slug>/` is where a procedure starts online. For slugs with a registered form (see
  `forms/registry.py`) this app serves it; the `procedure` converter does not match other slugs, so the identity
  card's `/thu-tuc/cap-cccd/` (apps.declarations) is never shadowed, whichever include comes first.
"""

from django.urls import path, register_converter

from . import views
from .converters import RegisteredProcedureConverter

register_converter(RegisteredProcedureConverter, "procedure")

app_name = "procedures"
urlpatterns = [
    path("", views.ProcedureListView.as_view(), name="list"),
    path("<slug:slug>/gioi-thieu/", views.ProcedureDetailView.as_view(), name="detail"),
]
