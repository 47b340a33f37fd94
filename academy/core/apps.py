from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "academy.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import content_cache  # noqa: PLC0415 - models are loaded by now

        content_cache.connect()
