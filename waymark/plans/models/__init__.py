"""The plan's models: the ISP and its versions (``plan``), reviews (``review``) and what
parents and the pupil contribute to it (``family``)."""

from .family import AgreementResponse, ContributionChannel, ParentContribution, ParentRequest, PupilVoice
from .plan import (
    Adjustment,
    BankEntry,
    Barrier,
    OrderedItem,
    Outcome,
    PlanSection,
    PlanTemplate,
    PlanVersion,
    PlanVersionQuerySet,
    Provision,
    ReadReceipt,
    SpecialistInput,
    SupportPlan,
    VersionContent,
    VersionContentQuerySet,
    version_content_manager,
)
from .review import OutcomeRating, ParentMeeting, Review

__all__ = [
    "Adjustment",
    "AgreementResponse",
    "BankEntry",
    "Barrier",
    "ContributionChannel",
    "OrderedItem",
    "Outcome",
    "OutcomeRating",
    "ParentContribution",
    "ParentMeeting",
    "ParentRequest",
    "PlanSection",
    "PlanTemplate",
    "PlanVersion",
    "PlanVersionQuerySet",
    "Provision",
    "PupilVoice",
    "ReadReceipt",
    "Review",
    "SpecialistInput",
    "SupportPlan",
    "VersionContent",
    "VersionContentQuerySet",
    "version_content_manager",
]
