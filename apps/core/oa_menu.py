"""The Zalo Official Account's menu: the links an OA administrator puts in OA Manager (Quản lý → Thanh menu).

Zalo sets the menu by hand (the menu API is unconfirmed, see /work/shared/reference/zalo-api.md §5.1); this list
is what `manage.py zalo_menu` prints with the site's address, and what tests open with Zalo's in-app browser user
agents. Paths are the public, stable addresses (they are printed on posters and kept in chat histories).
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class MenuLink:
    group: str  # the top-level menu item it sits under (Zalo allows 3 items with up to 5 sub-items each [U])
    title_vi: str
    title_en: str
    path: str

    def url(self, *, language: str = "vi") -> str:
        prefix = "" if language == "vi" else f"/{language}"
        return f"{settings.SITE_URL.rstrip('/')}{prefix}{self.path}"


OA_MENU: tuple[MenuLink, ...] = (
    MenuLink("Thủ tục", "Khai căn cước, đặt lịch", "Identity card declaration", "/thu-tuc/cap-cccd/"),
    MenuLink("Thủ tục", "Thủ tục khác", "Other procedures", "/thu-tuc/"),
    MenuLink("Thủ tục", "Tra cứu hồ sơ", "Look up a filing", "/tra-cuu/"),
    MenuLink("Phản ánh", "Báo tin, phản ánh", "Report a crime or a problem", "/phan-anh/"),
    MenuLink("Phản ánh", "Tin nhắn có phải của Công an?", "Is this message from us?", "/kiem-tra-tin-nhan/"),
    MenuLink("Thông tin", "Tin tức, thông báo", "News and notices", "/tin-tuc/"),
    MenuLink("Thông tin", "Số điện thoại Công an", "Police phone numbers", "/lien-he/"),
)
