import re
from io import StringIO

import pytest
from django.core.management import call_command

from apps.news.models import Category, Post


@pytest.mark.django_db
def test_demo_news_is_realistic_and_loading_twice_changes_nothing(demo_data):
    posts = Post.objects.published()
    assert {p.category for p in posts} == set(Category.values)
    assert posts.filter(is_pinned=True, category=Category.ANNOUNCEMENT).exists()
    eligibility = posts.get(category=Category.ELIGIBILITY)
    assert all(age in eligibility.body for age in ("14", "25", "40", "60"))
    before = list(Post.objects.values_list("slug", "updated_at").order_by("slug"))
    call_command("load_demo", stdout=StringIO())
    assert list(Post.objects.values_list("slug", "updated_at").order_by("slug")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_news_pages_have_one_h1_and_a_cached_detail_costs_no_query(
    client, demo_data, prefix, django_assert_max_num_queries
):
    paths = ["/tin-tuc/", "/tin-tuc/?chuyen-muc=schedule", "/tin-tuc/?q=can+cuoc"]
    paths += [f"/tin-tuc/{slug}/" for slug in Post.objects.values_list("slug", flat=True)]
    for path in paths:
        html = client.get(prefix + path).content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, path
    detail = f"{prefix}/tin-tuc/{Post.objects.first().slug}/"
    client.get(detail)
    with django_assert_max_num_queries(0):
        assert client.get(detail).status_code == 200
