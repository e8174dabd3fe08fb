"""The two built-in plan templates: the announced ISP, and today's SEN support plan."""

from django.db import migrations

ISP_SECTIONS = [
    ("about_me", "About me", "What people like and admire about me, what is important to me, how best to support me. In the pupil's own words where possible."),
    ("strengths", "My strengths", "What the pupil is good at, enjoys and can build on."),
    ("needs", "My needs and barriers to learning", "For each identified need, how it affects learning and school life."),
    ("outcomes", "Intended outcomes", "About three outcomes, each with a baseline, a target, how it will be measured, a date and who checks."),
    ("provision", "Provision and how it is delivered", "What support, who delivers it, how often, for how long, in what group size, from when to when, and how it is funded."),
    ("adjustments", "Reasonable adjustments in class", "Short, action-phrased adjustments every adult makes. Mark the key ones."),
    ("specialist_input", "Input from outside specialists", "Who advised, their service, when, and what they recommend."),
    ("responsibilities", "Who is responsible for what", "What the school, the parents and the pupil will each do."),
    ("review", "Review arrangements", "How and when the plan will be reviewed with the pupil and family. At least once a year."),
    ("ehc_plan", "EHC plan key facts", "For pupils with an EHC plan: the local authority, when it was issued and last reviewed, and its outcomes in brief."),
]

SEN_SUPPORT_SECTIONS = [
    ("about_me", "One-page profile", "What people like and admire about the pupil, what is important to them, and how best to support them."),
    ("strengths", "Strengths and interests", ""),
    ("needs", "Areas of need", "The pupil's needs under the four broad areas, and their effect on learning."),
    ("outcomes", "SMART targets", "Specific, measurable, achievable, relevant and time-bound, with a baseline and how progress will be measured."),
    ("provision", "Provision (plan and do)", "Interventions and support, with frequency, duration, group size and staff."),
    ("adjustments", "Strategies and adjustments for the classroom", ""),
    ("specialist_input", "Advice from outside agencies", ""),
    ("responsibilities", "Roles and responsibilities", "The class teacher remains responsible for the pupil's progress."),
    ("review", "Review (assess, plan, do, review)", "The Code of Practice expects parents to be met at least three times a year."),
    ("ehc_plan", "EHC plan", ""),
]


def sections(spec):
    return [{"key": key, "label": label, "help_text": help_text} for key, label, help_text in spec]


def load(apps, schema_editor):
    PlanTemplate = apps.get_model("plans", "PlanTemplate")
    PlanTemplate.objects.update_or_create(
        is_builtin=True,
        name="Individual Support Plan",
        defaults={
            "sections": sections(ISP_SECTIONS),
            "is_default": True,
            "description": "The content announced for the statutory digital ISP (2026 reforms).",
        },
    )
    PlanTemplate.objects.update_or_create(
        is_builtin=True,
        name="SEN support plan (SEND Code of Practice 2015)",
        defaults={
            "sections": sections(SEN_SUPPORT_SECTIONS),
            "is_default": False,
            "description": "Today's SEN support plan under chapter 6 of the 2015 Code: assess, plan, do, review.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
