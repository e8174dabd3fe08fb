"""A plan version as a Word document (python-docx), from the same presented content as the page."""

import datetime
import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .content import ITEM_FIELDS, document_title, status_line

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _set_language(doc, language):
    """Word reads the language of the text from the default run properties, not the metadata."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def _repeat_header_row(row):
    """Screen readers and long tables: the first row is a header that repeats on each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell_text(cell, text, *, bold=False):
    """One paragraph per line of ``text``: Word has no line break in a plain run."""
    lines = str(text).splitlines() or [""]
    first = cell.paragraphs[0]
    run = first.add_run(lines[0])
    run.bold = bold
    for line in lines[1:]:
        cell.add_paragraph(line)


def _two_column_table(doc, rows):
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, bold=True)
        _cell_text(cells[1], value or _("Not recorded"))
    return table


def _tagged(text, tag):
    return f"{text} ({tag})" if tag else text


def version_docx(version, document):
    """A Word file of the same content, with headings per section and a table for provision."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    title = document_title(document)
    properties = doc.core_properties
    properties.title = title
    properties.subject = _("Individual Support Plan")
    properties.language = "en-GB"
    properties.author = document["school"]
    properties.comments = _("Confidential")
    properties.created = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    _set_language(doc, "en-GB")
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)

    header = doc.sections[0].header.paragraphs[0]
    header.text = _("Confidential") + " – " + document["school"]

    doc.add_heading(title, level=0)
    doc.add_paragraph(status_line(version))
    if version.is_draft:
        doc.add_paragraph(_("This is a draft. It can still change and has not been agreed.")).runs[0].bold = True
    doc.add_paragraph(
        _(
            "Confidential. Printed on %(date)s. Keep this document secure and destroy it safely when it is no "
            "longer needed."
        )
        % {"date": date_format(timezone.localdate(), "j F Y")}
    )

    doc.add_heading(_("About this plan"), level=1)
    _two_column_table(doc, [(row["label"], row["value"]) for row in document["about"]])

    for section in document["sections"]:
        doc.add_heading(_tagged(section["label"], section["visibility_tag"]), level=1)
        if section["empty"]:
            doc.add_paragraph(_("Nothing recorded."))
            continue
        if section["kind"] == "text":
            _two_column_table(doc, [(field["label"], field["value"]) for field in section["fields"]])
            for voice in section.get("voices", []):
                doc.add_heading(_tagged(voice["heading"], voice["visibility_tag"]), level=2)
                _two_column_table(doc, [(row["question"], row["answer"]) for row in voice["answers"]])
        elif section["key"] == "provision":
            columns = [_("What"), *[label for _name, label in ITEM_FIELDS["provision"]]]
            table = doc.add_table(rows=1, cols=len(columns))
            table.style = "Table Grid"
            for cell, label in zip(table.rows[0].cells, columns, strict=True):
                _cell_text(cell, label, bold=True)
            _repeat_header_row(table.rows[0])
            for item in section["items"]:
                cells = table.add_row().cells
                _cell_text(cells[0], _tagged(item["title"], item["visibility_tag"]))
                for cell, field in zip(cells[1:], item["fields"], strict=True):
                    _cell_text(cell, field["value"])
        elif section["key"] == "adjustments":
            for item in section["items"]:
                paragraph = doc.add_paragraph(style="List Bullet")
                if item["is_key"]:
                    paragraph.add_run(_("Key") + ": ").bold = True
                paragraph.add_run(item["title"])
                extras = [part for part in (item["subject"], item["visibility_tag"]) if part]
                if extras:
                    paragraph.add_run(f" ({', '.join(str(part) for part in extras)})")
        else:
            for number, item in enumerate(section["items"], start=1):
                heading = item["title"]
                if section["key"] == "outcomes":
                    heading = _("Outcome %(number)d: %(text)s") % {"number": number, "text": heading}
                doc.add_heading(_tagged(heading, item["visibility_tag"]), level=2)
                _two_column_table(doc, [(field["label"], field["value"]) for field in item["fields"]])

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
