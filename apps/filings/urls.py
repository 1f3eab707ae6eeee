"""Included at the site root (inside i18n_patterns): /tra-cuu/… for every procedure."""

from django.urls import path

from . import views

app_name = "filings"
urlpatterns = [
    path("tra-cuu/", views.lookup_view, name="lookup"),
    path("tra-cuu/<str:token>/", views.lookup_detail_view, name="lookup-detail"),
    path("tra-cuu/<str:token>/huy/", views.cancel_view, name="lookup-cancel"),
    path("tra-cuu/<str:token>/doi-lich/", views.reschedule_view, name="lookup-reschedule"),
    path("tra-cuu/<str:token>/sua/", views.correct_view, name="lookup-correct"),
    path("thu-tuc/<slug:slug>/khong-tim-thay/", views.draft_lost_view, name="draft-lost"),
]
