"""Contracts of the dataset card: Hub front matter that YAML (and huggingface_hub) read back, the run's figures in the
body, and the marker that tells seedless's untouched card from an edited one."""

from __future__ import annotations

import pytest
import yaml

from seedless.core.dataset.card import is_generated, render_card
from seedless.core.dataset.card_facts import (
    CardFacts,
    CardLayout,
    Column,
    EvalFacts,
    EvalLine,
    FactorShape,
    NodeLine,
    RunFacts,
    StageLine,
    StrategyLine,
    UsageLine,
    size_category,
)
from seedless.core.dataset.record import JudgeFigures


def facts(name: str | None = "arith: word problems #1 'quoted'") -> CardFacts:
    run = RunFacts(
        factors=[FactorShape(name="Topic", description="the maths topic", levels=[3, 7], leaves=7)],
        strategies=[StrategyLine(name="all", weight=2.0, taxonomies=["Topic", "Setting > Shop"], exclusions=1)],
        target=20, reachable=24, exact=True, budget="N/V = 20/24 = 0.83: not every combination can appear",
        complexify=0.5, complete=True, tries=31, accepted=20,
        stages=[StageLine(stage="requirements", reached=31, rejected=6),
                StageLine(stage="double_critic", reached=25, rejected=5)],
        hard_nodes=[NodeLine(path=["Topic", "Fractions | halves"], tries=4, rejected=3)],
        warnings=["2 taxonomy node(s) reject at least 60% of tries"],
        judge=JudgeFigures(model="embedded:judge", p=0.75, q=0.25, correct=4, corrupted=4, min_gap=0.3, passed=True),
        usage=[UsageLine(stage="generate", model="embedded:gen", calls=31, prompt_tokens=12000,
                         completion_tokens=3000)])
    return CardFacts(name=name, description="Grade-school maths word problems: a question and a numeric answer.",
                     seedless_version="0.1.0", rows=20, rejected=11, run=run)


LAYOUT = CardLayout(data_file="dataset.parquet", rows=20,
                    columns=[Column(name="id", type="string"), Column(name="question", type="string",
                                                                    description="the problem | its text")])


def front(text: str) -> dict:
    assert text.startswith("---\n")
    head, _, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head)


def test_card_front_matter_parses_back_with_the_hub_keys_and_the_data_file_the_viewer_reads():
    meta = front(render_card(facts(), LAYOUT))
    assert meta["pretty_name"] == "arith: word problems #1 'quoted'"  # quoted by the dumper, read back intact
    assert meta["license"] == "unknown" and meta["size_categories"] == ["n<1K"]
    assert meta["tags"] == ["synthetic", "seedless", "simula"]
    assert meta["annotations_creators"] == ["machine-generated"]
    assert meta["configs"] == [{"config_name": "default", "data_files": [{"split": "train",
                                                                           "path": "dataset.parquet"}]}]
    assert "language" not in meta and "task_categories" not in meta  # nothing guessed


def test_card_without_a_name_is_titled_by_the_descriptions_first_sentence():
    meta = front(render_card(facts(name=None), LAYOUT))
    assert meta["pretty_name"] == "Grade-school maths word problems: a question and a numeric answer"


def test_huggingface_hub_reads_the_card_and_its_metadata():
    hub = pytest.importorskip("huggingface_hub")
    card = hub.DatasetCard(render_card(facts(), LAYOUT))
    data = card.data.to_dict()
    assert data["pretty_name"] == "arith: word problems #1 'quoted'"
    assert data["configs"][0]["data_files"][0]["path"] == "dataset.parquet"
    assert card.text.lstrip().startswith("# arith: word problems")


@pytest.mark.parametrize(("rows", "category"), [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"),
                                                (99_999, "10K<n<100K"), (2_000_000, "1M<n<10M")])
def test_size_category_follows_the_hubs_bins(rows, category):
    assert size_category(rows) == category


def test_card_body_gives_the_runs_figures():
    text = render_card(facts(), LAYOUT.model_copy(update={"eval": EvalFacts(
        report="eval.json", items=20, lines=[EvalLine(measure="diversity", summary="global 0.61, local 0.43")])}))
    assert "N = 20 datapoints over V = 24 reachable mixes" in text
    assert "| Topic | 3, 7 | 7 | the maths topic |" in text
    assert "| all | 2 | Topic; Setting > Shop | 1 |" in text
    assert "| requirement critic | 31 | 6 | 19% |" in text and "| double critic | 25 | 5 | 20% |" in text
    assert "| Topic > Fractions \\| halves | 4 | 3 | 75% |" in text  # a pipe in a name cannot break the table
    assert "p = 0.75 of the correct ones and q = 0.25 of the corrupted ones" in text
    assert "| generate | embedded:gen | 31 | 12,000 | 3,000 |" in text
    assert "- diversity: global 0.61, local 0.43" in text
    assert "31 tries, 20 accepted, 11 rejected" in text


def test_card_of_files_without_run_facts_still_describes_the_data():
    bare = CardFacts(name="x", description="A dataset of things.", seedless_version="0.1.0", rows=3)
    text = render_card(bare, LAYOUT.model_copy(update={"rows": 3}))
    assert "## How it was made" not in text and "3 rows, one split (`train`), in `dataset.parquet`." in text


def test_an_untouched_card_is_recognised_and_any_edit_or_a_card_without_the_marker_is_not():
    text = render_card(facts(), LAYOUT)
    assert is_generated(text)
    assert not is_generated(text.replace("license: unknown", "license: mit"))
    assert not is_generated(text.replace("## Limitations", "## Limitations\n\nMy own words."))
    assert not is_generated("# My dataset\n\nWritten by hand.\n")
