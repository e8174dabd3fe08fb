"""Small-number suppression: no child can be identified, directly or by subtraction."""

from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.pupils.figures import suppress_counts


def test_small_counts_are_hidden_and_large_ones_shown():
    assert suppress_counts({"K": 30, "E": 12, "N": 170}, 5) == {"K": 30, "E": 12, "N": 170}
    assert suppress_counts({"K": 3, "E": 4, "N": 170}, 5) == {"K": None, "E": None, "N": 170}


def test_one_hidden_cell_hides_the_next_smallest_so_subtraction_cannot_recover_it():
    assert suppress_counts({"K": 40, "E": 3, "N": 170}, 5) == {"K": None, "E": None, "N": 170}


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(min_value=1, max_value=60), min_size=1))
def test_never_exactly_one_hidden_cell_when_another_could_be_hidden(counts):
    result = suppress_counts(counts, 5)
    hidden = [key for key, value in result.items() if value is None]
    for key, value in result.items():
        if value is not None:
            assert value == counts[key]
            # Everything shown is either big enough, or nothing small was hidden in the group.
    for key in counts:
        if counts[key] < 5:
            assert result[key] is None
    assert len(hidden) != 1 or len(counts) == 1
