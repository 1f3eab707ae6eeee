from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportCreateView.as_view(), name="create"),
    path("xac-nhan/", views.ReportConfirmView.as_view(), name="confirm"),
    path("da-gui/", views.ReportDoneView.as_view(), name="done"),
    path("tra-cuu/", views.ReportStatusView.as_view(), name="status"),
]
