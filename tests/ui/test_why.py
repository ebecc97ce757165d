""" "Why" expanders (issue 13): each page that shows a concept explains it in a closed expander, in plain words,
with the paper's section (checked against the papers in /work/shared/papers: Jackpot section 3.2 Definition 2,
Appendix A.4, section 5.1 eq. (1), section 3.1 and Appendix A.9; Shirali et al. Definition 4.1, Proposition
4.2, Proposition B.1; Cai & Zheng Definition 1.1, Definition 4.2, Theorem 4.3)."""

from __future__ import annotations

import pytest

from aggregation.papers import PAPERS
from ui import why

from .conftest import open_page

PAGES = {
    "rules": ["condorcet", "smith", "rlhf_borda", "maximal_lottery"],
    "sampling": ["nbc"],
    "testtime": ["kwin", "mpne"],
}


@pytest.mark.parametrize("url_path", list(PAGES))
def test_each_page_explains_its_concepts_with_the_papers_section(app, url_path):
    app.query_params["scenario"] = "jackpot_majority" if url_path != "testtime" else "testtime_nlhf_collapse"
    at = open_page(app, url_path)
    assert not at.exception
    for key in PAGES[url_path]:
        box = at.get_by_key(f"why_{key}")
        concept = why.CONCEPTS[key]
        assert box.label == f"Why: {concept.label}" and not box.proto.expanded
        assert box.markdown[0].value == concept.text
        source = box.caption[0].value
        for ref in concept.references:
            assert PAPERS[ref.paper].short in source and ref.where in source


def test_the_misfit_is_explained_where_the_rules_page_measures_it(app):
    app.query_params["scenario"] = "hetero_bt_mixture"
    at = open_page(app, "rules")
    assert at.get_by_key("why_misfit").caption[0].value.endswith("section 3 and Proposition B.1")


def test_the_concepts_cite_the_papers_sections():
    cited = {key: [(r.paper, r.where) for r in c.references] for key, c in why.CONCEPTS.items()}
    assert cited["condorcet"][0] == ("jackpot", "section 3.2, Definition 2")
    assert cited["maximal_lottery"][0] == ("jackpot", "section 5.1, eq. (1)")
    assert cited["nbc"] == [("heterogeneous", "Definition 4.1"), ("heterogeneous", "Proposition 4.2")]
    assert cited["mpne"][0] == ("test_time", "Definition 4.2, Theorem 4.3")
