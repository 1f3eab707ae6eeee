"""The counter's pages, under the admin address (see config/urls.py): /admin/quay/…

admin_view gives them the admin's sign-in check, CSRF protection and no caching.
"""

from django.contrib import admin
from django.urls import path

from . import signin, statistics_views, views

app_name = "backoffice"

urlpatterns = [
    path("xac-thuc-hai-buoc/", admin.site.admin_view(signin.second_factor_setup_view), name="second-factor-setup"),
    path("", admin.site.admin_view(views.roster_view), name="roster"),
    path("diem-danh/", admin.site.admin_view(views.check_in_view), name="check-in"),
    path(
        "lich-hen/<int:pk>/vang-mat/",
        admin.site.admin_view(views.row_action_view),
        {"action": "no-show"},
        name="no-show",
    ),
    path(
        "lich-hen/<int:pk>/huy-diem-danh/",
        admin.site.admin_view(views.row_action_view),
        {"action": "check-in-undo"},
        name="check-in-undo",
    ),
    path("lich-hen/<int:pk>/doi-lich/", admin.site.admin_view(views.move_view), name="move"),
    path("doi-lich-hang-loat/", admin.site.admin_view(views.move_affected_view), name="move-affected"),
    path("dong-quay/", admin.site.admin_view(views.close_day_view), name="close-day"),
    path("dat-lich/", admin.site.admin_view(views.book_view), name="book"),
    path("dong-quay/<int:pk>/", admin.site.admin_view(views.closure_view), name="closure"),
    path("thong-ke/", admin.site.admin_view(statistics_views.statistics_view), name="statistics"),
]
