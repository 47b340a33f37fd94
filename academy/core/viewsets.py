"""Admin listings of records: read-only, exportable, and safe to open in a
spreadsheet. Every "Academy records" viewset builds on these."""

from __future__ import annotations

from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .spreadsheets import safe


class SafeExportIndexView(generic.IndexView):
    """The admin's CSV export writes cells as text: a name typed as =HYPERLINK(…)
    arrives in the spreadsheet as text, never as a formula. (Wagtail's XLSX export
    already writes formulas as strings.)"""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )


class RecordsViewSet(ModelViewSet):
    """A listing of history: inspected and exported, never edited or copied."""

    index_view_class = SafeExportIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited: the permission policy allows only view
