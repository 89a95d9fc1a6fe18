import pytest

from credence.domain.bands import BAND_ORDER, INSUFFICIENT, band_of, band_range


def test_653_is_excellent():
    assert band_of(653) == "excellent"


@pytest.mark.parametrize(
    "score,band",
    [
        (350, "poor"),
        (549, "poor"),
        (550, "fair"),
        (599, "fair"),
        (600, "good"),
        (649, "good"),
        (650, "excellent"),
        (699, "excellent"),
        (700, "extraordinary"),
        (950, "extraordinary"),
    ],
)
def test_band_edges_are_the_specs(score, band):
    assert band_of(score) == band


def test_no_score_is_insufficient_data_never_low():
    assert band_of(None) == INSUFFICIENT


@pytest.mark.parametrize("score", [349, 951])
def test_out_of_range_scores_are_refused(score):
    with pytest.raises(ValueError):
        band_of(score)


def test_band_ranges_tile_350_to_950():
    covered = []
    for band in BAND_ORDER:
        lo, hi = band_range(band)
        covered.extend(range(lo, hi + 1))
    assert covered == list(range(350, 951))
