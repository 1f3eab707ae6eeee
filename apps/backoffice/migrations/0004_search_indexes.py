"""PostgreSQL: unaccent + pg_trgm, the IMMUTABLE `portal_unaccent` function and trigram indexes for the one
search of the back office (apps/backoffice/search.py). Nothing happens on other databases."""

from django.db import migrations


def forwards(apps, schema_editor):
    from apps.backoffice.search import POSTGRES_FUNCTION_SQL, postgres_search_indexes

    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(POSTGRES_FUNCTION_SQL)
    postgres_search_indexes(apps, schema_editor)


def backwards(apps, schema_editor):
    from apps.backoffice.search import SQL_FUNCTION, postgres_search_indexes

    if schema_editor.connection.vendor != "postgresql":
        return
    postgres_search_indexes(apps, schema_editor, drop=True)
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {SQL_FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0003_filing_reviews"),
        ("appointments", "0002_appointment_language"),
        ("declarations", "0001_initial"),
        ("procedures", "0004_officer_note_help"),
        ("reports", "0001_report"),
        ("notifications", "0004_procedure_booked"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
