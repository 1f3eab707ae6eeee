"""A filing knows when the citizen last sent it again corrected (`corrected_at`), so the corrected filings waiting
for a new check are read from a small partial index, not found by probing every correction ever kept (30,000
corrections kept: 350-490 ms per dashboard visit; see benchmarks/results/resubmitted_alert.md). Filings corrected
before get the time of their latest correction."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def corrected_at_from_versions(apps, schema_editor):
    Filing = apps.get_model("filings", "Filing")
    FilingVersion = apps.get_model("filings", "FilingVersion")
    latest = FilingVersion.objects.filter(filing=OuterRef("pk")).order_by("-replaced_at").values("replaced_at")[:1]
    Filing.objects.filter(pk__in=FilingVersion.objects.values("filing")).update(corrected_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0005_unit_scope_indexes"),
        ("filings", "0009_unit_scope_indexes"),
        ("procedures", "0006_fee_from_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="corrected_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="corrected by the citizen"),
        ),
        migrations.RunPython(corrected_at_from_versions, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(
                condition=models.Q(("corrected_at__isnull", False), ("state", "submitted")),
                fields=["appointment"],
                name="filing_waiting_recheck",
            ),
        ),
    ]
