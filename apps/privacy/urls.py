from django.contrib import admin
from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", admin.site.admin_view(views.subject_request_view), name="subject-requests"),
    path("sua/<str:label>/<str:pk>/", admin.site.admin_view(views.subject_correct_view), name="subject-correct"),
]
