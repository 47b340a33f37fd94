import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """HomePage lives apart from the user model: Wagtail's own migrations depend on
    AUTH_USER_MODEL, so the user's first migration must not depend on Wagtail."""

    dependencies = [
        ("core", "0002_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name='HomePage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('intro', wagtail.fields.RichTextField(blank=True)),
                ('intro_en', wagtail.fields.RichTextField(blank=True, null=True)),
                ('intro_es', wagtail.fields.RichTextField(blank=True, null=True)),
                ('intro_fr', wagtail.fields.RichTextField(blank=True, null=True)),
                ('intro_ar', wagtail.fields.RichTextField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
            },
            bases=('wagtailcore.page',),
        ),
    ]
