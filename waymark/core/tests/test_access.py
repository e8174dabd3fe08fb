"""The rule table (core/access.py) as a pure function: no database, no request."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.core.access import (
    RULES,
    Action,
    Reach,
    Relation,
    may_see_figures,
    may_see_restricted,
    reach_for,
    relation_allows,
)
from waymark.schools.models import Role

A, Y, G, F, N = Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS, Reach.AGGREGATE, Reach.NONE
ACTIONS = (Action.VIEW, Action.EDIT, Action.PUBLISH, Action.REVIEW, Action.INVITE, Action.EXPORT, Action.ADMINISTER)

# Written out again from DESIGN.md ("Access") rather than imported, so a change to the
# table has to be made twice, on purpose.
EXPECTED = {
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

CASES = [
    pytest.param(role, action, reaches[i], id=f"{role}-{action}")
    for role, reaches in EXPECTED.items()
    for i, action in enumerate(ACTIONS)
]


@pytest.mark.parametrize(("role", "action", "expected"), CASES)
def test_each_role_and_action(role, action, expected):
    assert reach_for([role], action) == expected
    assert reach_for([role], action.value) == expected  # the string form is accepted too


def test_every_role_in_the_product_is_in_the_table():
    assert set(Role.values) == set(EXPECTED) == set(RULES)


@pytest.mark.parametrize("action", ACTIONS)
def test_no_roles_reach_nothing(action):
    assert reach_for([], action) == Reach.NONE


@pytest.mark.parametrize("role", ["parent", "specialist", "system", "", "SENCO", "admin", "superuser"])
@pytest.mark.parametrize("action", ACTIONS)
def test_unknown_role_reaches_nothing(role, action):
    assert reach_for([role], action) == Reach.NONE


def test_unknown_action_is_refused():
    with pytest.raises(ValueError):
        reach_for(["senco"], "delete")


@pytest.mark.parametrize(
    ("roles", "action", "expected"),
    [
        (["teacher", "head_of_year"], Action.VIEW, Y),
        (["ta", "senco"], Action.VIEW, A),
        (["governor", "teacher"], Action.VIEW, G),
        (["head", "senco"], Action.EDIT, A),  # a head who is also the SENCO edits
        (["dsl", "head"], Action.ADMINISTER, A),
        (["trust_lead", "deputy_senco"], Action.ADMINISTER, N),
        (["office", "governor"], Action.VIEW, F),
        (["teacher", "made_up_role"], Action.VIEW, G),
    ],
)
def test_widest_role_wins(roles, action, expected):
    assert reach_for(roles, action) == expected


def test_governor_sees_aggregate_figures_only():
    assert reach_for(["governor"], Action.VIEW) == Reach.AGGREGATE
    for action in ACTIONS:
        if action != Action.VIEW:
            assert reach_for(["governor"], action) == Reach.NONE
    assert may_see_figures(["governor"])
    assert not may_see_restricted(["governor"])


@pytest.mark.parametrize(
    ("role", "sees_figures"),
    [
        ("senco", True),
        ("deputy_senco", True),
        ("head", True),
        ("dsl", True),
        ("trust_lead", True),
        ("governor", True),
        ("head_of_year", False),
        ("teacher", False),
        ("ta", False),
        ("office", False),
    ],
)
def test_who_sees_figures(role, sees_figures):
    assert may_see_figures([role]) is sees_figures


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_restricted_content_is_for_senco_and_dsl_only(role):
    assert may_see_restricted([role]) is (role in {"senco", "dsl"})


def test_restricted_content_with_several_roles():
    assert may_see_restricted(["teacher", "dsl"])
    assert not may_see_restricted(["head", "deputy_senco", "trust_lead"])
    assert not may_see_restricted([])


@pytest.mark.parametrize("relation", list(Relation))
@pytest.mark.parametrize("action", ACTIONS)
def test_parents_and_specialists_only_ever_view(relation, action):
    assert relation_allows(relation, action) is (action == Action.VIEW)


ROLE_NAMES = st.sampled_from(sorted(EXPECTED) + ["parent", "unknown", "system"])


@settings(max_examples=50, deadline=None)
@given(roles=st.lists(ROLE_NAMES, max_size=6), action=st.sampled_from(ACTIONS))
def test_reach_of_several_roles_is_the_widest_single_reach(roles, action):
    widest = max((reach_for([role], action) for role in roles), default=Reach.NONE)
    assert reach_for(roles, action) == widest
    assert reach_for(list(reversed(roles)), action) == widest
    assert may_see_restricted(roles) == any(may_see_restricted([role]) for role in roles)
