from django.db import migrations, models
from django.db.models import F


def send_off_without_the_arrival_train(apps, schema_editor):
    """The drafted send-off took its place from the arrival point ("虹桥站 G7012 09:15 到达"):
    where that is still so, the place is left empty for reception to fill in."""
    ItineraryItem = apps.get_model("visits", "ItineraryItem")
    copied = ItineraryItem.objects.filter(step="send_off", place=F("visit__arrival_point"))
    copied.exclude(place="").update(place="")


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0025_stored_words_by_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='visitrequest',
            name='departure_point',
            field=models.CharField(blank=True, help_text='How they leave: airport or station, flight or train number, time…', max_length=200, verbose_name='departure point'),
        ),
        migrations.RunPython(send_off_without_the_arrival_train, migrations.RunPython.noop),
    ]
