from django.db import migrations, models


TEMPLATES = ("PrepTaskTemplate", "HistoricalPrepTaskTemplate")


def applicant_flag_to_assign_to(apps, schema_editor):
    for name in TEMPLATES:
        Template = apps.get_model("visits", name)
        Template.objects.filter(assign_to_applicant=True).update(assign_to="applicant")


def assign_to_to_applicant_flag(apps, schema_editor):
    for name in TEMPLATES:
        Template = apps.get_model("visits", name)
        Template.objects.filter(assign_to="applicant").update(assign_to_applicant=True)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0013_history_guests_eventkind"),
    ]

    operations = [
        migrations.AddField(
            model_name="preptasktemplate",
            name="assign_to",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nobody: the department"),
                    ("applicant", "The applicant (sales lead or project engineer)"),
                    ("main_host", "The main host"),
                    ("receptionist", "The customer receptionist"),
                ],
                help_text="For tasks a person of the visit does personally; they see it in “My tasks”.",
                max_length=20,
                verbose_name="assign to",
            ),
        ),
        migrations.AddField(
            model_name="historicalpreptasktemplate",
            name="assign_to",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Nobody: the department"),
                    ("applicant", "The applicant (sales lead or project engineer)"),
                    ("main_host", "The main host"),
                    ("receptionist", "The customer receptionist"),
                ],
                help_text="For tasks a person of the visit does personally; they see it in “My tasks”.",
                max_length=20,
                verbose_name="assign to",
            ),
        ),
        migrations.RunPython(applicant_flag_to_assign_to, assign_to_to_applicant_flag),
        migrations.RemoveField(model_name="preptasktemplate", name="assign_to_applicant"),
        migrations.RemoveField(model_name="historicalpreptasktemplate", name="assign_to_applicant"),
        migrations.AddField(
            model_name="preptask",
            name="recheck_changes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Each watched field that changed: its value before and after.",
                verbose_name="changes to re-check",
            ),
        ),
        migrations.AddField(
            model_name="preptask",
            name="urgent",
            field=models.BooleanField(
                default=False,
                help_text="Its normal due date had already passed when the task was given.",
                verbose_name="urgent",
            ),
        ),
        migrations.AddField(
            model_name="preptasktemplate",
            name="time_watch",
            field=models.CharField(
                choices=[
                    ("none", "Never (only its due date moves)"),
                    ("date", "When the day changes (e.g. the hotel)"),
                    ("time", "When the time changes at all (e.g. pick-up, meals)"),
                ],
                default="time",
                help_text="A new arrival or departure always moves the due date; this says when the task itself must be checked again.",
                max_length=10,
                verbose_name="re-check when the arrival or departure moves",
            ),
        ),
        migrations.AddField(
            model_name="historicalpreptasktemplate",
            name="time_watch",
            field=models.CharField(
                choices=[
                    ("none", "Never (only its due date moves)"),
                    ("date", "When the day changes (e.g. the hotel)"),
                    ("time", "When the time changes at all (e.g. pick-up, meals)"),
                ],
                default="time",
                help_text="A new arrival or departure always moves the due date; this says when the task itself must be checked again.",
                max_length=10,
                verbose_name="re-check when the arrival or departure moves",
            ),
        ),
    ]
