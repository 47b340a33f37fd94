from modeltranslation.translator import TranslationOptions, register

from .models import CourseIndexPage, CoursePage, GlossaryTerm, ModulePage


@register(CourseIndexPage)
class CourseIndexPageTR(TranslationOptions):
    fields = ("intro",)


@register(CoursePage)
class CoursePageTR(TranslationOptions):
    fields = ("summary", "outcomes")


@register(ModulePage)
class ModulePageTR(TranslationOptions):
    fields = ("summary", "objectives", "body")


@register(GlossaryTerm)
class GlossaryTermTR(TranslationOptions):
    fields = ("term", "definition", "us", "coe_eu", "intl")
