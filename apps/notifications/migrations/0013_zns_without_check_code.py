"""Issue 11.6, one code per message: no message sends a `check_code` ZNS parameter any more; the field's help says
what a ZNS template is registered with (help text only: no change to the database or its data)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0012_moved_with_reason'),
    ]

    operations = [
        migrations.AlterField(
            model_name='messagetemplate',
            name='zns_template_id',
            field=models.CharField(blank=True, help_text='The id Zalo issued when it approved the matching ZNS template, registered with the placeholders of this text as parameters (nothing else); empty = not sent by Zalo.', max_length=32, verbose_name='Zalo ZNS template id'),
        ),
    ]
