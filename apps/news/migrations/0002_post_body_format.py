from django.db import migrations, models


class Migration(migrations.Migration):
    """Posts written so far are HTML: they keep that format; new posts are written in Markdown."""

    dependencies = [("news", "0001_post")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_format",
            field=models.CharField(
                choices=[("markdown", "Simple formatting (Markdown)"), ("html", "HTML")],
                default="html",
                max_length=10,
                verbose_name="body format",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="post",
            name="body_format",
            field=models.CharField(
                choices=[("markdown", "Simple formatting (Markdown)"), ("html", "HTML")],
                default="markdown",
                max_length=10,
                verbose_name="body format",
            ),
        ),
    ]
