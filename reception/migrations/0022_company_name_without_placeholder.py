from django.db import migrations, models

# The defaults this field had: a placeholder, not a name any company chose.
PLACEHOLDERS = {"company_name": "本公司", "company_name_en": "Our company"}


def drop_placeholders(apps, schema_editor):
    """A policy still carrying the old placeholders prints no name until an administrator
    sets one, instead of "本公司" on every document."""
    ReceptionPolicy = apps.get_model("reception", "ReceptionPolicy")
    for field, placeholder in PLACEHOLDERS.items():
        ReceptionPolicy.objects.filter(**{field: placeholder}).update(**{field: ""})


class Migration(migrations.Migration):

    dependencies = [
        ('reception', '0021_client_name_stem'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalreceptionpolicy',
            name='company_name',
            field=models.CharField(default='', help_text='Printed on the visit documents and shown on the lobby screen.', max_length=150, verbose_name='company name'),
        ),
        migrations.AlterField(
            model_name='historicalreceptionpolicy',
            name='company_name_en',
            field=models.CharField(blank=True, default='', max_length=150, verbose_name='company name (English)'),
        ),
        migrations.AlterField(
            model_name='receptionpolicy',
            name='company_name',
            field=models.CharField(default='', help_text='Printed on the visit documents and shown on the lobby screen.', max_length=150, verbose_name='company name'),
        ),
        migrations.AlterField(
            model_name='receptionpolicy',
            name='company_name_en',
            field=models.CharField(blank=True, default='', max_length=150, verbose_name='company name (English)'),
        ),
        migrations.RunPython(drop_placeholders, migrations.RunPython.noop),
    ]
