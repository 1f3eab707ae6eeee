"""The searched name on the filing itself (`name_key`, generated: `portal_unaccent(holder_name)`, computed by the
database on every write; adding it rewrites the table once), the list's order index now holding it, the unit and
the code beside each entry (`filing_recent_name` replaces `filing_submitted_recent`), and the name's trigram index
on the column instead of the expression (docs/scale.md, "A name search for every unit")."""

from django.db import migrations, models

import apps.backoffice.search


def name_key_index(apps, schema_editor):
    from apps.backoffice.search import (
        NAME_EXPRESSION_INDEX_TARGETS,
        NAME_KEY_INDEX_TARGETS,
        postgres_search_indexes,
    )

    postgres_search_indexes(apps, schema_editor, targets=NAME_KEY_INDEX_TARGETS[1:])
    postgres_search_indexes(apps, schema_editor, targets=NAME_EXPRESSION_INDEX_TARGETS[1:], drop=True)


def name_expression_index(apps, schema_editor):
    from apps.backoffice.search import (
        NAME_EXPRESSION_INDEX_TARGETS,
        NAME_KEY_INDEX_TARGETS,
        postgres_search_indexes,
    )

    postgres_search_indexes(apps, schema_editor, targets=NAME_EXPRESSION_INDEX_TARGETS[1:])
    postgres_search_indexes(apps, schema_editor, targets=NAME_KEY_INDEX_TARGETS[1:], drop=True)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0006_slot_start_name_key"),
        ("backoffice", "0004_search_indexes"),  # the function portal_unaccent
        ("filings", "0012_filing_unit_state"),
        ("procedures", "0006_fee_from_schedule"),
        ("units", "0003_unit_english_area_and_phone_labels"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="filing", name="filing_submitted_recent"),
        migrations.AddField(
            model_name="filing",
            name="name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=apps.backoffice.search.SearchText("holder_name"),
                output_field=models.CharField(max_length=120),
            ),
        ),
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(
                fields=["-submitted_at", "-id"], include=("name_key", "unit", "code"), name="filing_recent_name"
            ),
        ),
        migrations.RunPython(name_key_index, name_expression_index),
    ]
