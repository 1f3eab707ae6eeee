from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    SCHEDULE = "schedule", _("Reception schedule")
    PLACES = "places", _("Places and opening hours")
    ELIGIBILITY = "eligibility", _("Who must get or exchange a card")
    ANNOUNCEMENT = "announcement", _("Announcements")


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Simple formatting (Markdown)")
    HTML = "html", _("HTML")


def shown_in_english(*, has_english: bool) -> bool:
    """Whether a post is shown in English on the current page (English pages fall back to Vietnamese)."""
    return bool(has_english) and translation.get_language() == "en"


def localized(text: str, text_en: str, *, has_english: bool) -> str:
    """A post's text as the current page shows it (`Post.display_title` …), for rows read as plain values."""
    return (text_en or text) if shown_in_english(has_english=has_english) else text


# `Post.has_english` in SQL, for rows read as plain values.
HAS_ENGLISH = models.Q(~models.Q(title_en=""), ~models.Q(body_en=""))


class PostQuerySet(models.QuerySet):
    def published(self, *, now=None):
        return self.filter(is_published=True, publish_at__lte=now or timezone.now())


class Post(models.Model):
    """A news post. Vietnamese is the original; the English fields are an optional translation."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    slug = models.SlugField(_("short address"), max_length=120, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences, shown in lists and link previews.")
    )
    summary_en = models.CharField(_("summary in English"), max_length=300, blank=True)
    body = models.TextField(_("body"), help_text=_("Formatting is kept; scripts and styles are removed."))
    body_en = models.TextField(_("body in English"), blank=True)
    # Posts written before Markdown came in keep their HTML bodies (migration 0002 marks them "html").
    body_format = models.CharField(_("body format"), max_length=10, choices=BodyFormat, default=BodyFormat.MARKDOWN)
    cover = models.ImageField(_("cover image"), upload_to="news/%Y/%m/", blank=True)
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=Category, default=Category.ANNOUNCEMENT)
    unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.PROTECT, related_name="news_posts", verbose_name=_("unit")
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        db_index=True,
        help_text=_("A time in the future schedules the post: citizens see it only from then on."),
    )
    is_published = models.BooleanField(_("published"), default=True, help_text=_("Untick to keep the post as a draft."))
    is_pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Pinned posts come first."))
    # Diacritic-free, lower-case title, summary and text of both languages, kept by services.post_save.
    search_text = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ("-is_pinned", "-publish_at", "-id")
        indexes = [models.Index(fields=("is_published", "publish_at"), name="news_post_visible")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", kwargs={"slug": self.slug})

    @property
    def has_english(self) -> bool:
        return bool(self.title_en and self.body_en)

    def _localized(self, field: str) -> str:
        return localized(getattr(self, field), getattr(self, f"{field}_en"), has_english=self.has_english)

    @property
    def display_title(self) -> str:
        return self._localized("title")

    @property
    def display_summary(self) -> str:
        return self._localized("summary")

    @property
    def display_body(self) -> str:
        return self._localized("body")

    @property
    def content_language(self) -> str:
        """The language the post is shown in on the current page (English pages fall back to Vietnamese)."""
        return "en" if shown_in_english(has_english=self.has_english) else "vi"
