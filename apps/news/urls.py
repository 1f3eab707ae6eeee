from django.urls import path

from . import feeds, views

app_name = "news"
urlpatterns = [
    path("", views.NewsListView.as_view(), name="list"),
    path("rss/", feeds.LatestPostsFeed(), name="feed-rss"),
    path("atom/", feeds.LatestPostsAtomFeed(), name="feed-atom"),
    path("<slug:slug>/", views.NewsDetailView.as_view(), name="detail"),
]
