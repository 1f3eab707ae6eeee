"""Today's identity-card fees (cccd-facts.md §3), as rows officers can change in admin.

Values are written here, not imported from code, so the migration stays what it was when it ran.
"""

from datetime import date

from django.db import migrations

PROCEDURE = "cap-cccd"
LAW_2023 = date(2024, 7, 1)  # Law 26/2023/QH15 in force
TT73 = date(2024, 10, 21)  # TT 73/2024/TT-BTC in force

FREE = ("Miễn lệ phí theo Điều 38 Luật Căn cước năm 2023.", "Free under Art. 38 of the 2023 Identity Law.")
STANDARD = ("Mức thu theo Thông tư 73/2024/TT-BTC.", "Standard fee (TT 73/2024/TT-BTC).")

# reason -> VND under TT 73 (0 = free by Art. 38 of the 2023 Identity Law)
AMOUNTS = {
    "first_card": 0,
    "age_milestone": 0,
    "card_error": 0,
    "admin_units": 0,
    "details_changed": 50_000,
    "features_changed": 50_000,
    "sex_changed": 50_000,
    "number_reset": 50_000,
    "own_request": 50_000,
    "cccd_to_card": 30_000,
    "lost": 70_000,
    "damaged": 70_000,
    "nationality_regained": 70_000,
}

REDUCTIONS = (
    # percent, min_age, below_age, starts_on, ends_on, basis (vi, en)
    (
        50,
        None,
        None,
        date(2025, 7, 1),
        date(2026, 12, 31),
        (
            "Bằng 50% mức thu đến hết ngày 31/12/2026 (Thông tư 64/2025/TT-BTC).",
            "Half of the standard fee until 31/12/2026 (TT 64/2025/TT-BTC).",
        ),
    ),
    (
        100,
        None,
        16,
        TT73,
        None,
        (
            "Miễn lệ phí cho trẻ em dưới 16 tuổi (Điều 5 Thông tư 73/2024/TT-BTC).",
            "Free: children under 16 are exempt (TT 73/2024/TT-BTC Art. 5).",
        ),
    ),
    (
        100,
        60,
        None,
        TT73,
        None,
        (
            "Miễn lệ phí cho người từ đủ 60 tuổi trở lên (Điều 5 Thông tư 73/2024/TT-BTC).",
            "Free: people aged 60 or over are exempt (TT 73/2024/TT-BTC Art. 5).",
        ),
    ),
)


def load(apps, schema_editor):
    FeeRule = apps.get_model("fees", "FeeRule")
    FeeReduction = apps.get_model("fees", "FeeReduction")
    for reason, amount in AMOUNTS.items():
        starts_on, (basis, basis_en) = (LAW_2023, FREE) if amount == 0 else (TT73, STANDARD)
        FeeRule.objects.get_or_create(
            procedure_slug=PROCEDURE,
            reason=reason,
            starts_on=starts_on,
            defaults={"amount": amount, "basis": basis, "basis_en": basis_en},
        )
    for percent, min_age, below_age, starts_on, ends_on, (basis, basis_en) in REDUCTIONS:
        FeeReduction.objects.get_or_create(
            procedure_slug=PROCEDURE,
            percent=percent,
            min_age=min_age,
            below_age=below_age,
            starts_on=starts_on,
            defaults={"ends_on": ends_on, "basis": basis, "basis_en": basis_en},
        )


def unload(apps, schema_editor):
    apps.get_model("fees", "FeeRule").objects.filter(procedure_slug=PROCEDURE).delete()
    apps.get_model("fees", "FeeReduction").objects.filter(procedure_slug=PROCEDURE).delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
