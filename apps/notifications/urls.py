from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("kiem-tra-tin-nhan/", views.CheckMessageView.as_view(), name="check-message"),
    path("dev/outbox/", views.DevOutboxView.as_view(), name="dev-outbox"),
]
