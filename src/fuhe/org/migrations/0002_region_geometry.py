import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="region",
            name="geometry_generated",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="The boundary is a generated cell inside the parent's, not an official boundary.",
                verbose_name="generated boundary",
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="geometry_source",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=120, verbose_name="boundary source"
            ),
        ),
        migrations.CreateModel(
            name="Place",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(db_index=True, max_length=100, verbose_name="name")),
                ("aliases", models.JSONField(blank=True, default=list, verbose_name="aliases")),
                (
                    "latitude",
                    models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="latitude"),
                ),
                (
                    "longitude",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="longitude"
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="places",
                        to="org.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "place",
                "verbose_name_plural": "places",
                "ordering": ["region_id", "name"],
                "constraints": [models.UniqueConstraint(fields=("region", "name"), name="place_name_unique_in_region")],
            },
        ),
    ]
