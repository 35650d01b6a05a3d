from django.db import migrations, models

COMMERCIAL = ["commercial", "supplier", "partner"]
NON_COMMERCIAL = ["government", "association", "school", "media", "other"]


def forward(apps, schema_editor):
    # "only for guests who are commercial / non-commercial" becomes the list of guest kinds
    Template = apps.get_model("visits", "PrepTaskTemplate")
    Template.objects.filter(guests="commercial").update(guest_kinds=COMMERCIAL)
    Template.objects.filter(guests="non_commercial").update(guest_kinds=NON_COMMERCIAL)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0023_visit_named_holders"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpreptasktemplate",
            name="guest_kinds",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Empty: every kind. Quotations, for instance, only for customers, suppliers and partners (seed 001 十.2: the office receives the others).",
                verbose_name="only for kinds of guest",
            ),
        ),
        migrations.AddField(
            model_name="preptasktemplate",
            name="guest_kinds",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Empty: every kind. Quotations, for instance, only for customers, suppliers and partners (seed 001 十.2: the office receives the others).",
                verbose_name="only for kinds of guest",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="historicalpreptasktemplate",
            name="guests",
        ),
        migrations.RemoveField(
            model_name="preptasktemplate",
            name="guests",
        ),
    ]
