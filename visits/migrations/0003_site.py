import django.db.models.deletion
from django.db import migrations, models


def put_visits_on_the_first_site(apps, schema_editor):
    """Requests filed before sites existed belong to the company's first site (made here,
    like load_policy makes it, when there is none)."""
    VisitRequest = apps.get_model("visits", "VisitRequest")
    if not VisitRequest.objects.filter(site__isnull=True).exists():
        return
    Site = apps.get_model("reception", "Site")
    site = Site.objects.order_by("ordering", "code").first()
    if site is None:
        Policy = apps.get_model("reception", "ReceptionPolicy")
        policy = Policy.objects.filter(pk=1).first()
        site = Site.objects.create(
            code="main",
            name=(policy.company_name if policy else "") or "总部",
            name_en=(policy.company_name_en if policy else "") or "Head office",
        )
    VisitRequest.objects.filter(site__isnull=True).update(site=site)


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table with rows updated in the same transaction (pending
    # deferred foreign-key checks): the fill runs in a transaction of its own.
    atomic = False

    dependencies = [
        ("reception", "0002_sites"),
        ("visits", "0002_export_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="visitrequest",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="visits",
                to="reception.site",
                verbose_name="site",
            ),
        ),
        migrations.RunPython(put_visits_on_the_first_site, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="visitrequest",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="visits",
                to="reception.site",
                verbose_name="site",
            ),
        ),
    ]
