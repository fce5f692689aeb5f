from datetime import date

from fuhe.deliberation.core.inclusion import UNKNOWN, Participant, from_id_number, table, total

TODAY = date(2026, 6, 1)


def test_age_band_and_gender_from_the_id_number():
    assert from_id_number("12010119400101123X", TODAY) == ("75_plus", "male")  # 17th digit 3: odd, male
    assert from_id_number("120101199001011248", TODAY) == ("35_59", "female")
    assert from_id_number("", TODAY) == (UNKNOWN, UNKNOWN)
    assert from_id_number("120101199013011248", TODAY) == (UNKNOWN, UNKNOWN)  # month 13


def _people(n, *, area="一网格", assisted=False, start=0):
    return [Participant(start + i, area, "60_74", "female", assisted) for i in range(n)]


def test_cells_below_the_minimum_are_suppressed():
    people = _people(6) + _people(2, area="二网格", start=100, assisted=True)
    cells = {(c.attribute, c.value): c for c in table(people, population=800, minimum=5)}
    assert cells[("area", "一网格")].count == 6
    assert cells[("area", "一网格")].share_of_population == 6 / 800
    assert cells[("area", "二网格")].is_suppressed
    assert cells[("area", "二网格")].share_of_population is None
    assert cells[("assisted", "assisted")].is_suppressed
    assert cells[("assisted", "unassisted")].count == 6


def test_a_person_counts_once_and_the_total_is_suppressed_when_small():
    people = _people(3) + _people(3)  # the same three, twice
    assert total(people, minimum=5) is None
    assert total(_people(5), minimum=5) == 5
