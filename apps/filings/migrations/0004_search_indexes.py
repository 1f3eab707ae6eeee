"""PostgreSQL: the back office's trigram search indexes on filings (name without accents, code, phone, card number),
as backoffice 0004 made them for the models filings replace. Nothing happens on other databases."""

from django.db import migrations

TARGETS = (
    ("filings", "Filing", "holder_name", "name"),
    ("filings", "Filing", "code", "plain"),
    ("filings", "Filing", "phone", "plain"),
    ("filings", "Filing", "id_number", "plain"),
)


def forwards(apps, schema_editor):
    from apps.backoffice.search import postgres_search_indexes

    postgres_search_indexes(apps, schema_editor, targets=TARGETS)


def backwards(apps, schema_editor):
    from apps.backoffice.search import postgres_search_indexes

    postgres_search_indexes(apps, schema_editor, targets=TARGETS, drop=True)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0003_copy_declarations_and_requests"),
        ("backoffice", "0004_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
