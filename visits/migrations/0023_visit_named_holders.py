import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The seeded templates whose holder was "the applicant (sales lead or project engineer)": the
# choice is split, and each names the role-holder it meant. A template a company set to
# another holder keeps it.
HOLDERS = {
    "engineer-technical-preparation": "project_engineer",
    "applicant-keep-informed": "sales_lead",
}


def forward(apps, schema_editor):
    Template = apps.get_model("visits", "PrepTaskTemplate")
    VisitRequest = apps.get_model("visits", "VisitRequest")
    for code, holder in HOLDERS.items():
        Template.objects.filter(code=code, assign_to="applicant").update(assign_to=holder)
    # Requests filed before: the applicant was the sales lead or the project engineer, as
    # their role says (whom their tasks went to).
    for field, role in (("sales_lead", "sales"), ("project_engineer", "project_engineer")):
        VisitRequest.objects.filter(applicant__groups__name=role).update(
            **{field: models.F("applicant")}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0022_approval_timeline_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="visitrequest",
            name="project_engineer",
            field=models.ForeignKey(
                blank=True,
                help_text="项目工程师: prepares the technical side of a technical customer's visit.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="engineered_visits",
                to=settings.AUTH_USER_MODEL,
                verbose_name="project engineer",
            ),
        ),
        migrations.AddField(
            model_name="visitrequest",
            name="sales_lead",
            field=models.ForeignKey(
                blank=True,
                help_text="项目营销负责人: keeps the guests informed and introduces them.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="led_visits",
                to=settings.AUTH_USER_MODEL,
                verbose_name="project marketing lead",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpreptasktemplate",
            name="assign_to",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nobody: the department"),
                    ("applicant", "The applicant (whoever filed the request)"),
                    ("sales_lead", "The project marketing lead the request names"),
                    ("project_engineer", "The project engineer the request names"),
                    ("main_host", "The main host"),
                    ("receptionist", "The customer receptionist"),
                ],
                help_text="For tasks a person of the visit does personally; they see it in “My tasks”.",
                max_length=20,
                verbose_name="assign to",
            ),
        ),
        migrations.AlterField(
            model_name="preptasktemplate",
            name="assign_to",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nobody: the department"),
                    ("applicant", "The applicant (whoever filed the request)"),
                    ("sales_lead", "The project marketing lead the request names"),
                    ("project_engineer", "The project engineer the request names"),
                    ("main_host", "The main host"),
                    ("receptionist", "The customer receptionist"),
                ],
                help_text="For tasks a person of the visit does personally; they see it in “My tasks”.",
                max_length=20,
                verbose_name="assign to",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
