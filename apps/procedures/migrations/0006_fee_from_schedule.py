"""The identity card's catalogue fee text takes its amounts and the reduction from the fee schedule (apps.fees) for
the day the page is shown, instead of "25.000 đồng … (mức 50% đến 31/12/2026)" written in the text. Only the text
shipped by the demo catalogue is replaced; a text an officer wrote stays as it is."""

from django.db import migrations, models

OLD = (
    "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi 25.000 đồng, cấp lại 35.000 đồng (mức 50% "
    "đến 31/12/2026).",
    "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange VND 25,000, re-issue VND 35,000 "
    "(50% rate until 31/12/2026).",
)
NEW = (
    "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi {own_request}, cấp lại {lost}. {reduction}",
    "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange {own_request}, re-issue {lost}. "
    "{reduction}",
)


def forwards(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    Procedure.objects.filter(slug="cap-cccd", fee=OLD[0]).update(fee=NEW[0])
    Procedure.objects.filter(slug="cap-cccd", fee_en=OLD[1]).update(fee_en=NEW[1])


def backwards(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    Procedure.objects.filter(slug="cap-cccd", fee=NEW[0]).update(fee=OLD[0])
    Procedure.objects.filter(slug="cap-cccd", fee_en=NEW[1]).update(fee_en=OLD[1])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0005_delete_procedurerequest")]

    operations = [
        migrations.AlterField(
            model_name="procedure",
            name="fee",
            field=models.TextField(
                blank=True,
                help_text=(
                    "Amounts come from the fee schedule on the day the page is shown: {reason code} is that reason's "
                    "fee (e.g. {own_request}), {reduction} the reduction in force, if any."
                ),
                verbose_name="fee",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
