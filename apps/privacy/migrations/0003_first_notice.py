"""The first privacy notice (version 1); the district edits it in admin by adding a new version."""

from django.db import migrations

NOTICE = (
    "Công an Quận 4 (Thành phố Hồ Chí Minh) thu thập các thông tin bạn khai để giải quyết thủ tục bạn yêu cầu và "
    "đặt lịch tiếp nhận, theo Nghị định 13/2023/NĐ-CP và Luật Bảo vệ dữ liệu cá nhân.\n"
    "Chỉ cán bộ được giao nhiệm vụ của đơn vị tiếp nhận xem được hồ sơ. Hồ sơ được lưu 180 ngày sau ngày hẹn hoặc "
    "lần xử lý cuối, sau đó bị xóa.\n"
    "Bạn có quyền được biết, xem, sửa, xóa dữ liệu của mình và rút lại sự đồng ý: liên hệ đơn vị tiếp nhận hoặc "
    "Công an Quận 4, mang theo thẻ căn cước."
)
NOTICE_EN = (
    "District 4 Police (Ho Chi Minh City) collects what you enter to handle the procedure you ask for and book your "
    "visit, under Decree 13/2023/ND-CP and the Personal Data Protection Law.\n"
    "Only the officers assigned at the receiving unit see your file. It is kept 180 days after the appointment or "
    "its last step, then deleted.\n"
    "You may know, see, correct and delete your data and withdraw your consent: contact the receiving unit or "
    "District 4 Police with your identity card."
)
SENSITIVE = (
    "Dân tộc, tôn giáo và nhóm máu là dữ liệu cá nhân nhạy cảm. Tôi đồng ý để Công an Quận 4 xử lý các thông tin "
    "này chỉ để cấp thẻ căn cước."
)
SENSITIVE_EN = (
    "Ethnicity, religion and blood group are sensitive personal data. I agree that District 4 Police processes them "
    "only to issue the identity card."
)
DECLARATION = "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật."
DECLARATION_EN = "I declare that the information given above is true."


def forwards(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(
            version=1,
            notice=NOTICE,
            notice_en=NOTICE_EN,
            sensitive_consent=SENSITIVE,
            sensitive_consent_en=SENSITIVE_EN,
            declaration=DECLARATION,
            declaration_en=DECLARATION_EN,
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_privacy_notice")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
