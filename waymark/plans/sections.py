"""The sections a plan can have. Templates choose which appear, in what order, with what words.

The engine knows each section's *kind* (what it stores); a template only gives labels,
help text and order, so today's "SEN support plan" and tomorrow's statutory ISP run on
the same code (DOMAIN.md: section labels, taxonomies and templates are configuration).
"""

from django.utils.translation import gettext_lazy as _

# key: (kind, default label, default help text)
# kind "text" sections store named fields in PlanSection.data; "items" sections hold rows.
SECTION_KINDS = {
    "about_me": ("text", _("About me"), _("A one-page profile in the pupil's own words where possible")),
    "strengths": ("text", _("Strengths"), _("What the pupil is good at and enjoys")),
    "needs": ("items", _("Needs and barriers to learning"), _("How each identified need affects learning")),
    "outcomes": ("items", _("Outcomes"), _("What we want the pupil to achieve, in SMART terms")),
    "provision": ("items", _("Provision"), _("The support the school commits to, and how it is delivered")),
    "adjustments": ("items", _("Adjustments in class"), _("Short, practical things every adult does in lessons")),
    "specialist_input": (
        "items",
        _("Advice from outside specialists"),
        _("Who advised, when, and what they recommend"),
    ),
    "responsibilities": ("text", _("Who does what"), _("What the school, the parents and the pupil will each do")),
    "review": ("text", _("Review"), _("How and when the plan will be reviewed")),
    "ehc_plan": ("text", _("EHC plan"), _("Key facts from the pupil's education, health and care plan")),
}

# The named fields of each text section, with their labels.
TEXT_SECTION_FIELDS = {
    "about_me": {
        "liked_and_admired": _("What people like and admire about me"),
        "important_to_me": _("What is important to me"),
        "how_to_support_me": _("How best to support me"),
    },
    "strengths": {"strengths": _("Strengths")},
    "responsibilities": {
        "school": _("The school will"),
        "parents": _("Parents and carers will"),
        "pupil": _("The pupil will"),
    },
    "review": {
        "arrangements": _("How the plan will be reviewed"),
        "next_review_on": _("Next review date"),
    },
    "ehc_plan": {
        "local_authority": _("Local authority"),
        "issued_on": _("Date issued"),
        "last_annual_review_on": _("Date of last annual review"),
        "outcomes_summary": _("Its outcomes in brief"),
    },
}

# Sections shown only for some tiers: the EHC plan's facts belong to the specialist tier.
TIER_ONLY_SECTIONS = {"ehc_plan": {"specialist"}}


def section_kind(key):
    return SECTION_KINDS[key][0]


def default_sections(keys):
    """A template's section list with the engine's default wording, in the order given."""
    return [{"key": key, "label": str(SECTION_KINDS[key][1]), "help_text": str(SECTION_KINDS[key][2])} for key in keys]


def sections_for(template_sections, tier):
    """The template's sections that apply to a pupil in ``tier``, in template order."""
    return [
        section
        for section in template_sections
        if section["key"] in SECTION_KINDS and tier in TIER_ONLY_SECTIONS.get(section["key"], {tier})
    ]
