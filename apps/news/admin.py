from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from apps.backoffice.admin_mixins import OUT_OF_SCOPE, AuditedAdminMixin, ScopedUnitFilter, UnitScopedAdminMixin
from apps.backoffice.scoping import user_sees_all_units, user_unit_ids

from .images import image_validate
from .models import Post
from .services import post_delete, post_save

MARKDOWN_HELP = _(
    "With simple formatting: leave an empty line between paragraphs; **bold**, *italic*; a line starting with "
    "“- ” is a list item, with “1. ” a numbered one; “# ” starts a heading, “## ” a smaller one; "
    "a link is [text](https://…). Use “Preview” after saving to check the result. Scripts and styles are always "
    "removed."
)


class MarkdownTextarea(forms.Textarea):
    """A textarea with formatting buttons that type the Markdown (news/markdown-toolbar.js, ours, no CDN)."""

    template_name = "news/widgets/markdown_textarea.html"

    class Media:
        js = ["news/markdown-toolbar.js"]
        css = {"all": ["news/admin.css"]}


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = (
            "title", "summary", "body_format", "body", "title_en", "summary_en", "body_en", "cover", "category",
            "unit", "publish_at", "is_published", "is_pinned", "slug",
        )  # fmt: skip
        widgets = {
            "body": MarkdownTextarea(attrs={"rows": 16}),
            "body_en": MarkdownTextarea(attrs={"rows": 10}),
            "body_format": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = MARKDOWN_HELP
        self.fields["slug"].required = False  # made from the title when left empty (services.post_save)
        self.fields["slug"].help_text = _("Leave empty to make it from the title.")

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if isinstance(cover, UploadedFile):
            image_validate(upload=cover, max_bytes=settings.NEWS_COVER_MAX_BYTES)
        return cover


class VisibilityFilter(admin.SimpleListFilter):
    title = _("visibility")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("visible", _("Visible now")), ("scheduled", _("Scheduled")), ("draft", _("Draft"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "visible":
            return queryset.published(now=now)
        if self.value() == "scheduled":
            return queryset.filter(is_published=True, publish_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(is_published=False)
        return queryset


@admin.register(Post)
class PostAdmin(UnitScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """News editors see and write posts of their own units only (district administrators and superusers: all)."""

    unit_field = "unit"
    form = PostAdminForm
    list_display = ("title", "category", "unit", "publish_at", "visibility", "is_pinned")
    list_filter = (VisibilityFilter, "category", "is_pinned", ("unit", ScopedUnitFilter))
    search_fields = ("title", "summary", "title_en")
    list_select_related = ("unit",)
    date_hierarchy = "publish_at"
    # No prepopulated slug: admin's URLify script drops Vietnamese letters ("Tạm ngừng" -> "tm-ngng"); left
    # empty, the slug is made from the title on the server, transliterated ("tam-ngung").
    fieldsets = (
        (None, {"fields": ("title", "summary", "body_format", "body", "cover", "category", "unit")}),
        (_("Publishing"), {"fields": ("publish_at", "is_published", "is_pinned", "slug", "preview_link")}),
        (_("English version"), {"fields": ("title_en", "summary_en", "body_en"), "classes": ("collapse",)}),
    )

    readonly_fields = ("preview_link",)

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Post) -> str:
        if obj is None or obj.pk is None:
            return str(_("Save the post first, then preview it here."))
        url = reverse("admin:news_post_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Preview as citizens will see it")
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(never_cache(self.preview_view)),
                name="news_post_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id: int):
        """The post as its public page will show it, also before it is published (scheduled or draft): only for
        officers who may see it (their unit's posts), never cached, never indexed."""
        post = self.get_object(request, str(object_id))  # another unit's post: 404 (UnitScopedAdminMixin)
        if not self.has_view_permission(request, post):
            raise PermissionDenied
        context = {"post": post, "preview": True, "visibility": self.visibility(post), "share_url": "", "cover_url": ""}
        response = TemplateResponse(request, "news/preview.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    @admin.display(description=_("visibility"))
    def visibility(self, obj: Post) -> str:
        if not obj.is_published:
            return str(_("Draft"))
        if obj.publish_at > timezone.now():
            return str(_("Scheduled"))
        return str(_("Visible now"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not user_sees_all_units(request.user) and len(user_unit_ids(request.user)) == 1:
            initial.setdefault("unit", next(iter(user_unit_ids(request.user))))
        return initial

    def save_model(self, request, obj, form, change):
        if not self._in_scope(request, obj):
            raise PermissionDenied(OUT_OF_SCOPE)
        cover = form.cleaned_data.get("cover")
        new_cover = cover if "cover" in form.changed_data and isinstance(cover, UploadedFile) else None
        post_save(post=obj, user=request.user, new_cover=new_cover)

    def delete_model(self, request, obj):
        post_delete(post=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            try:
                post_delete(post=post, user=request.user)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
