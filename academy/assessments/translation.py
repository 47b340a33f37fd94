"""Only text is translated: keys, links between steps, grades and points are the
same in every language, so no translation can score differently."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    AssessmentPage,
    BankOption,
    BankQuestion,
    Dimension,
    ScenarioChoice,
    ScenarioEnding,
    ScenarioPage,
    ScenarioStep,
)


@register(AssessmentPage)
class AssessmentPageTR(TranslationOptions):
    fields = ("intro",)


@register(Dimension)
class DimensionTR(TranslationOptions):
    fields = ("label",)


@register(BankQuestion)
class BankQuestionTR(TranslationOptions):
    fields = ("question",)


@register(BankOption)
class BankOptionTR(TranslationOptions):
    fields = ("text", "rationale")


@register(ScenarioPage)
class ScenarioPageTR(TranslationOptions):
    fields = ("intro", "content_note")


@register(ScenarioStep)
class ScenarioStepTR(TranslationOptions):
    fields = ("narrative", "content_note", "transcript", "prompt")


@register(ScenarioChoice)
class ScenarioChoiceTR(TranslationOptions):
    fields = ("text", "feedback", "remediation")


@register(ScenarioEnding)
class ScenarioEndingTR(TranslationOptions):
    fields = ("title", "summary", "remember")
