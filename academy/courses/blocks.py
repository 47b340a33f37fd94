"""Lesson blocks. A module's lesson is a StreamField of these, one per language.

Block ids double as the stable keys from content/ (`load_content` sets them), so a
formative check or a learner's note can refer to a block across edits.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]


class RichText(blocks.RichTextBlock):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(*args, **kwargs)


class KeyPointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("Title"))
    points = blocks.ListBlock(blocks.CharBlock(label=_("Point")), min_num=1)

    class Meta:
        template = "blocks/key_points.html"
        icon = "list-ul"


class CalloutBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        choices=[
            ("info", _("Information")),
            ("tip", _("Tip")),
            ("warning", _("Warning")),
        ],
        default="info",
    )
    title = blocks.CharBlock()
    body = RichText()

    class Meta:
        template = "blocks/callout.html"
        icon = "warning"


class ContentNoteBlock(blocks.StructBlock):
    note = blocks.TextBlock(help_text=_("Plainly, what the material below contains."))
    summary = RichText(help_text=_("A short, non-graphic alternative to the material."))
    body = RichText(
        help_text=_("The material itself; folded until the learner opens it.")
    )

    class Meta:
        template = "blocks/content_note.html"
        icon = "warning"


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    body = RichText()
    questions = blocks.ListBlock(
        blocks.CharBlock(label=_("Question")), required=False, default=[]
    )

    class Meta:
        template = "blocks/case_study.html"
        icon = "user"


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    url = blocks.URLBlock(help_text=_("Address of the video file or page."))
    transcript = RichText(help_text=_("Required: the full transcript."))

    class Meta:
        template = "blocks/video.html"
        icon = "media"


class ResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    description = blocks.TextBlock(required=False)
    url = blocks.URLBlock(required=False)
    document = DocumentChooserBlock(required=False)

    class Meta:
        template = "blocks/resource.html"
        icon = "doc-full"


class JurisdictionNoteBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    us = RichText(label=_("United States"))
    coe_eu = RichText(label=_("Council of Europe and EU"))
    intl = RichText(label=_("Elsewhere (international law)"))

    class Meta:
        template = "blocks/jurisdiction_note.html"
        icon = "site"


class KnowledgeCheckOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock()
    correct = blocks.BooleanBlock(required=False)
    rationale = blocks.TextBlock()


class KnowledgeCheckBlock(blocks.StructBlock):
    """A practice question inside a lesson: not graded, every option explained."""

    question = blocks.TextBlock()
    multiple = blocks.BooleanBlock(
        required=False, help_text=_("Learners select all that apply.")
    )
    options = blocks.ListBlock(KnowledgeCheckOptionBlock(), min_num=2, max_num=6)

    class Meta:
        template = "blocks/knowledge_check.html"
        icon = "help"


class LessonStreamBlock(blocks.StreamBlock):
    text = RichText(template="blocks/text.html")
    key_points = KeyPointsBlock()
    callout = CalloutBlock()
    content_note = ContentNoteBlock()
    case_study = CaseStudyBlock()
    video = VideoBlock()
    resource = ResourceBlock()
    jurisdiction_note = JurisdictionNoteBlock()
    knowledge_check = KnowledgeCheckBlock()


class SourceBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    url = blocks.URLBlock(required=False)

    class Meta:
        icon = "link"
