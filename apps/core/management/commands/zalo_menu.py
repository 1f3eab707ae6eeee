"""Print the Zalo Official Account's menu links with this site's address (SITE_URL), to copy into OA Manager."""

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core.oa_menu import OA_MENU


class Command(BaseCommand):
    help = "Print the links of the Zalo Official Account's menu (OA Manager → Thanh menu) with SITE_URL."

    def add_arguments(self, parser):
        parser.add_argument("--language", choices=["vi", "en"], default="vi", help="pages in this language")

    def handle(self, *args, language: str = "vi", **options):
        self.stdout.write(f"# Zalo OA menu for {settings.SITE_URL} (action: open a URL)")
        group = None
        for link in OA_MENU:
            if link.group != group:
                group = link.group
                self.stdout.write(f"\n{group}")
            title = link.title_vi if language == "vi" else link.title_en
            self.stdout.write(f"  {title}: {link.url(language=language)}")
