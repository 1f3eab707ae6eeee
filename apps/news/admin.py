from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.units.models import PoliceUnit

from .images import image_validate
from .models import Post
from .services import post_delete, post_save


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = (
            "title", "summary", "body", "title_en", "summary_en", "body_en", "cover", "category", "unit",
            "publish_at", "is_published", "is_pinned", "slug",
        )  # fmt: skip
        widgets = {"body": forms.Textarea(attrs={"rows": 16}), "body_en": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
class PostAdmin(admin.ModelAdmin):
    """News editors see and write posts of their own units only; superusers see everything."""

    form = PostAdminForm
    list_display = ("title", "category", "unit", "publish_at", "visibility", "is_pinned")
    list_filter = (VisibilityFilter, "category", "is_pinned", "unit")
    search_fields = ("title", "summary", "title_en")
    list_select_related = ("unit",)
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "summary", "body", "cover", "category", "unit")}),
        (_("Publishing"), {"fields": ("publish_at", "is_published", "is_pinned", "slug")}),
        (_("English version"), {"fields": ("title_en", "summary_en", "body_en"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("visibility"))
    def visibility(self, obj: Post) -> str:
        if not obj.is_published:
            return str(_("Draft"))
        if obj.publish_at > timezone.now():
            return str(_("Scheduled"))
        return str(_("Visible now"))

    def _user_units(self, request):
        return PoliceUnit.objects.filter(officers=request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(unit__in=self._user_units(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            kwargs["queryset"] = self._user_units(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not request.user.is_superuser:
            units = list(self._user_units(request)[:2])
            if len(units) == 1:
                initial.setdefault("unit", units[0].pk)
        return initial

    def _may_edit(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or self._user_units(request).filter(pk=obj.unit_id).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def save_model(self, request, obj, form, change):
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
