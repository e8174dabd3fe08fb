"""The rule table: which pupils each role reaches for each action. Deny unless a rule allows.

This module is pure: no database, no request. ``reach_for`` answers "how far does
someone with these roles reach for this action?"; the pupils app turns a reach into
a queryset filter (``pupils.selectors.pupil_filter``). A membership may hold several
roles and the widest staff reach wins; being a parent or holding a share adds the
pupils it names on top.
"""

from enum import IntEnum, StrEnum


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    PUBLISH = "publish"
    REVIEW = "review"
    INVITE = "invite"
    EXPORT = "export"
    ADMINISTER = "administer"
    # A parent's own words about their child's plan: views, agreement, requests. No staff
    # role has it: staff record these on a parent's behalf under REVIEW.
    RESPOND = "respond"


class Reach(IntEnum):
    """How far a staff role reaches, ordered so the widest is the largest."""

    NONE = 0
    AGGREGATE = 1  # counts only, never a named child
    OWN_GROUPS = 2  # pupils in the classes and groups they work with today
    YEAR_GROUP = 3  # pupils in the year groups they lead
    ALL = 4  # every pupil of the school


class Relation(StrEnum):
    """Ways of reaching a pupil that are not a staff role: they add named pupils, never widen."""

    OWN_CHILD = "own_child"  # an active parent link
    SHARED = "shared"  # a live share with an outside specialist or LA officer


# Role codes match ``schools.models.Role``; kept as strings so this module imports nothing.
A, Y, G, F, N = Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS, Reach.AGGREGATE, Reach.NONE
_COLUMNS = (Action.VIEW, Action.EDIT, Action.PUBLISH, Action.REVIEW, Action.INVITE, Action.EXPORT, Action.ADMINISTER)
_TABLE = {
    #                 view edit publish review invite export administer
    "senco":         (A,   A,   A,      A,     A,     A,     A),
    "deputy_senco":  (A,   A,   A,      A,     A,     A,     N),
    "head":          (A,   N,   N,      N,     A,     A,     A),
    "dsl":           (A,   N,   N,      N,     N,     N,     N),
    "trust_lead":    (A,   N,   N,      N,     N,     A,     N),
    "head_of_year":  (Y,   N,   N,      N,     N,     N,     N),
    "teacher":       (G,   N,   N,      N,     N,     N,     N),
    "ta":            (G,   N,   N,      N,     N,     N,     N),
    "governor":      (F,   N,   N,      N,     N,     N,     N),
    "office":        (N,   N,   N,      N,     N,     N,     N),
}  # fmt: skip
RULES = {role: dict(zip(_COLUMNS, reaches, strict=True)) for role, reaches in _TABLE.items()}

# Parents view and respond, specialists only view, and only the pupils their link or share names.
RELATION_RULES = {
    Relation.OWN_CHILD: {Action.VIEW, Action.RESPOND},
    Relation.SHARED: {Action.VIEW},
}

# Roles that oversee rather than work with pupils: never named as delivering provision, never run a group.
NOT_DELIVERING_ROLES = frozenset({"governor", "trust_lead"})

# An archived leaver's record is read-only: these actions still reach it (reading it, exporting
# it for a transfer, subject access or a chronology, and administering its retention); editing,
# publishing, reviewing, inviting and responding do not.
ARCHIVED_RECORD_ACTIONS = frozenset({Action.VIEW, Action.EXPORT, Action.ADMINISTER})

# Content marked "restricted" is for these roles alone, whatever else someone may see.
RESTRICTED_CONTENT_ROLES = frozenset({"senco", "dsl"})
# Roles that see the named register of the whole school or a year group.
REGISTER_REACHES = frozenset({Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS})


def reach_for(roles, action):
    """The widest reach any of ``roles`` has for ``action``; unknown roles reach nothing."""
    action = Action(action)
    return max((RULES.get(role, {}).get(action, Reach.NONE) for role in roles), default=Reach.NONE)


def relation_allows(relation, action):
    return Action(action) in RELATION_RULES.get(Relation(relation), set())


def may_see_restricted(roles):
    return bool(RESTRICTED_CONTENT_ROLES.intersection(roles))


def may_see_figures(roles):
    """School-wide aggregate figures: anyone who reaches all pupils, and governors."""
    return reach_for(roles, Action.VIEW) in (Reach.ALL, Reach.AGGREGATE)
