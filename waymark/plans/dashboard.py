"""The SENCO's home page: reviews due and overdue, parent meetings, parents' views and disagreements.

Being written in this change (issue 4); see the helper brief.
"""


def senco_dashboard(actor):
    return None
