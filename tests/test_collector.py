"""The collector kept out of the way (``pipeline.collector``): frozen for a
block, the youngest generation collected less often while laying out, both
undone by the block that did them, even on an error."""

import gc

import pytest

from pipeline import collector


def test_a_block_freezes_and_sets_the_threshold_then_undoes_both():
    assert gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    with collector.frozen(young=12_345):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (12_345, *threshold[1:])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_blocks_nest_and_the_outermost_unfreezes_even_on_an_error():
    threshold = gc.get_threshold()
    with pytest.raises(ValueError):
        with collector.frozen():
            with collector.frozen(young=5_000):
                assert gc.get_threshold()[0] == 5_000
            # The inner block restored the threshold but left the objects frozen.
            assert gc.get_threshold() == threshold
            assert gc.get_freeze_count() > 0
            raise ValueError
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_the_pamphlet_is_laid_out_with_the_collector_out_of_the_way(monkeypatch):
    import pipeline.writers.pdf as pdf

    seen = {}

    def lay_out(prep, options, page_list):
        seen.update(frozen=gc.get_freeze_count(), young=gc.get_threshold()[0])
    monkeypatch.setattr(pdf, "_write_pdf", lay_out)
    pdf.write_pdf(None)
    assert seen["frozen"] > 0 and seen["young"] == collector.LAYOUT_YOUNG
    assert gc.get_freeze_count() == 0
