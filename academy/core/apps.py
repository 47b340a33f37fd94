from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "academy.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import content_cache, page_tree  # noqa: PLC0415 - models are loaded

        content_cache.connect()
        content_cache.read_along(page_tree.TREE_KEY)
