"""The personal-data register: every model that holds data about a pupil, in one place.

Exports, school-to-school transfers, subject access requests and retention read this
register, so a new model cannot be forgotten by them: a test fails when a model that
points at a pupil is not listed here.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class PersonalDataEntry:
    model: str  # "app_label.ModelName"
    pupil_path: str  # lookup from the model to the pupil, "" for the pupil itself
    what: str  # plain English, for the data-protection docs and subject access
    transfers: bool  # goes to the next school in a transfer package
    third_party: bool = False  # may hold other people's data that a subject access release must redact
    by_public_id: bool = False  # the path holds the pupil's public id rather than a foreign key

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def for_pupil(self, pupil):
        """All rows of this model about ``pupil`` (the caller opens the pupil's school scope)."""
        manager = self.model_class.objects
        if not self.pupil_path:
            return manager.filter(pk=pupil.pk)
        return manager.filter(**{self.pupil_path: pupil.public_id if self.by_public_id else pupil})


PERSONAL_DATA = (
    PersonalDataEntry("pupils.Pupil", "", "Names, date of birth, UPN, sex, year group, dates joined and left", True),
    PersonalDataEntry("pupils.SenStatus", "pupil", "SEN provision codes and tiers with their dates", True),
    PersonalDataEntry("pupils.Need", "pupil", "Types of need with rank and description", True),
    PersonalDataEntry(
        "pupils.ParentLink", "pupil", "Parents and carers, their contact preferences and link status", False, True
    ),
    PersonalDataEntry("pupils.Enrolment", "pupil", "Classes and teaching groups, with dates", False),
    PersonalDataEntry("evidence.Share", "pupil", "Who the record was shared with, why and until when", False, True),
    PersonalDataEntry("plans.SupportPlan", "pupil", "The pupil's plan and its versions", True),
    PersonalDataEntry(
        "plans.PlanVersion", "plan__pupil", "Each version of the plan, with the frozen copy that was agreed", True
    ),
    PersonalDataEntry(
        "plans.PlanSection", "version__plan__pupil", "About me, responsibilities, review, EHC plan", True
    ),
    PersonalDataEntry("plans.Barrier", "version__plan__pupil", "Needs and barriers to learning in the plan", True),
    PersonalDataEntry("plans.Outcome", "version__plan__pupil", "Outcomes with baselines and targets", True),
    PersonalDataEntry("plans.Provision", "version__plan__pupil", "Provision committed to in the plan", True),
    PersonalDataEntry("plans.Adjustment", "version__plan__pupil", "Adjustments in class", True),
    PersonalDataEntry("plans.SpecialistInput", "version__plan__pupil", "Outside specialists' advice", True, True),
    PersonalDataEntry(
        "plans.ReadReceipt", "version__plan__pupil", "Which staff confirmed reading the plan", False, True
    ),
    PersonalDataEntry("pupils.ParentInvitation", "link__pupil", "Invitations sent to parents and carers", False, True),
    PersonalDataEntry(
        "plans.Review", "plan__pupil", "Reviews: outcome ratings, views of the pupil and family, decisions", True, True
    ),
    PersonalDataEntry("plans.OutcomeRating", "review__plan__pupil", "Each outcome's rating at a review", True),
    PersonalDataEntry("plans.ParentMeeting", "pupil", "Meetings with parents and who came", True, True),
    PersonalDataEntry(
        "plans.ParentContribution", "plan__pupil", "Parents' views before reviews, in their own words", True, True
    ),
    PersonalDataEntry(
        "plans.AgreementResponse",
        "version__plan__pupil",
        "Parents' agreement or disagreement with a shared plan, and the school's reply",
        True,
        True,
    ),
    PersonalDataEntry(
        "plans.ParentRequest", "plan__pupil", "Parents' requests for a meeting or a paper copy", False, True
    ),
    PersonalDataEntry("plans.PupilVoice", "version__plan__pupil", "The pupil's own views, in their words", True),
    PersonalDataEntry("evidence.Note", "pupil", "Notes on the pupil's timeline by staff", True, True),
    PersonalDataEntry(
        "evidence.Document", "pupil", "Documents and professional reports, with the files themselves", True, True
    ),
    PersonalDataEntry(
        "provision.GroupMember",
        "pupil",
        "Intervention groups the pupil was in, and the plan provision each delivered",
        True,
    ),
    PersonalDataEntry("provision.Attendance", "pupil", "Attendance at each intervention session", True),
    # No key to a pupil (a session is the group's), but its note is written about the pupils who came.
    PersonalDataEntry(
        "provision.SessionLog",
        "attendances__pupil",
        "Notes on intervention sessions the pupil was registered at, which may name other pupils",
        False,
        True,
    ),
    PersonalDataEntry("provision.Measure", "pupil", "Entry, exit and other measures of progress", True),
    PersonalDataEntry("provision.OtherCost", "pupil", "Costs of provision for this pupil alone", False),
    PersonalDataEntry(
        "exchange.ReceivedTransfer",
        "pupil",
        "The record received from the pupil's previous school: plans, reviews, provision and measures",
        True,
        True,
    ),
    PersonalDataEntry(
        "exchange.SubjectAccessRequest",
        "pupil",
        "Requests for the pupil's data: who asked, how they were identified, what was released",
        False,
        True,
    ),
    PersonalDataEntry("exchange.LegalHold", "pupil", "Legal holds that stop the record being deleted", False),
    PersonalDataEntry(
        "core.Notification",
        "pupil_id",
        "Emails sent about the pupil's plan, to whom and when",
        transfers=False,
        third_party=True,
        by_public_id=True,
    ),
    PersonalDataEntry(
        "core.AuditEvent",
        "pupil_id",
        "Who viewed or changed the record, and when",
        transfers=False,
        third_party=True,
        by_public_id=True,
    ),
)

# Models that point at a pupil but hold nothing about them beyond that link. None yet.
NOT_PERSONAL_DATA = frozenset()


def entries():
    return PERSONAL_DATA


def entry_for(model_label):
    """The register's entry for ``"app_label.ModelName"``; ``LookupError`` when the model is not in it."""
    entry = next((entry for entry in PERSONAL_DATA if entry.model == model_label), None)
    if entry is None:
        raise LookupError(f"{model_label!r} is not in the personal-data register")
    return entry
