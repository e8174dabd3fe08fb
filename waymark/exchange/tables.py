"""Tables built from plain text, for pages and PDFs that show many small tables of the same shape.

Rendered by ``exchange/includes/data_table.html``; the chronology and the received-record page use it.
"""

from dataclasses import dataclass


@dataclass
class Table:
    """A caption, a header row, and rows of text whose first cell heads the row.

    ``numeric`` holds the indexes of columns of numbers (set right, as GOV.UK numeric columns
    are); ``empty`` is said in one row when there are no rows; ``id`` names the caption, which
    labels the scrolling region around the table, so it must be unique on the page.
    """

    caption: str
    header: list
    rows: list
    numeric: tuple = ()
    empty: str = ""
    id: str = ""
