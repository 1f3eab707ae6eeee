from hypothesis import given
from hypothesis import strategies as st

from apps.core.codes import ALPHABET, code_format, code_generate, code_is_valid, code_normalize

codes = st.text(alphabet=ALPHABET, min_size=4, max_size=12)


def test_generated_codes_are_valid_and_use_no_look_alikes():
    for _ in range(200):
        code = code_generate()
        assert len(code) == 9
        assert code_is_valid(code)
        assert not set(code) & set("01OIZ")


@given(codes)
def test_any_single_substitution_is_caught(payload):
    from apps.core.codes import check_character

    code = payload + check_character(payload)
    for position in range(len(code)):
        for replacement in ALPHABET:
            if replacement != code[position]:
                assert not code_is_valid(code[:position] + replacement + code[position + 1 :])


@given(codes)
def test_swapping_neighbours_is_caught(payload):
    from apps.core.codes import check_character

    code = payload + check_character(payload)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not code_is_valid(swapped)


def test_normalize_and_format_round_trip():
    code = code_generate()
    assert code_normalize(code_format(code).lower()) == code
    assert code_normalize(" k7mx - 3pq9 r ") == "K7MX3PQ9R"


def test_the_hardest_transpositions_are_caught():
    from apps.core.codes import check_character

    for payload in ("AB2Y", "2Y2Y2Y2Y", "Y2345678"):
        code = payload + check_character(payload)
        for i in range(len(code) - 1):
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert swapped == code or not code_is_valid(swapped)
