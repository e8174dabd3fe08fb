"""The provision app's models, split by sub-domain (DESIGN.md: split a module past about 400 lines)."""

from .catalogue import Funding, Intervention, InterventionType, MeasureType, StaffRole, measure_types_for
from .costs import OtherCost
from .groups import Attendance, GroupLeader, GroupMember, GroupSlot, InterventionGroup, SessionLog, Weekday, member_on
from .measures import USEFUL_OR_BETTER, Measure, RatioGainBand, months_between, ratio_gain, ratio_gain_band

__all__ = [
    "USEFUL_OR_BETTER",
    "Attendance",
    "Funding",
    "GroupLeader",
    "GroupMember",
    "GroupSlot",
    "Intervention",
    "InterventionGroup",
    "InterventionType",
    "Measure",
    "MeasureType",
    "OtherCost",
    "RatioGainBand",
    "SessionLog",
    "StaffRole",
    "Weekday",
    "measure_types_for",
    "member_on",
    "months_between",
    "ratio_gain",
    "ratio_gain_band",
]
