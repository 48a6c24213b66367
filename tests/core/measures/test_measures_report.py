"""Contracts of the typed eval report: it dumps to the file's keys in the file's order (aliases such as `global` and
`correct?` included), reads back what it wrote and what earlier versions wrote, and forbids unknown keys."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from seedless.core.measures.report import (
    CriticCounts,
    CriticResult,
    CriticSection,
    DiversitySection,
    EvalReport,
    Section,
    VerdictPart,
)


def report() -> EvalReport:
    verdict = VerdictPart(accepted=True, correct="yes", incorrect="no", explanations=["a", "b"])
    critic = CriticSection(answer_field="answer", items=1, generator_accuracy=0.5, p=1.0, q=None, separates=None,
                           rejection_rate=0.0, counts=CriticCounts(correct=1, correct_accepted=1, corrupted=0,
                                                                   corrupted_accepted=0, identical_dropped=0,
                                                                   retried=0, corruption_failed=0, critic_failed=0),
                           filtering=[], results=[CriticResult(id="q0", answer={"x": [1, 2.5]}, original=verdict,
                                                               corrupted_answer=None, change="", corrupted=None,
                                                               retried=False, dropped="why", failures=[])])
    return EvalReport(data="d.jsonl", items=1, settings={"metrics": ["diversity", "critic"]},
                      diversity=DiversitySection(embedder="static", k=10, global_=0.5, local=0.25), critic=critic)


def test_the_dump_has_the_files_keys_in_order_with_their_written_names():
    dumped = report().as_dict()
    assert list(dumped) == ["data", "items", "settings", "taxonomy", "expert", "coverage", "complexity", "diversity",
                            "duplicates", "taxonomy_quality", "critic", "notes", "usage", "calls_sent", "calls_reused"]
    assert dumped["diversity"] == {"embedder": "static", "k": 10, "global": 0.5, "local": 0.25}
    assert dumped["critic"]["results"][0]["original"] == {"accepted": True, "blind_result": None, "correct?": "yes", "incorrect?": "no",
                                                          "explanations": ["a", "b"]}
    assert report().model_dump() == dumped


def test_a_report_reads_back_and_one_without_the_later_sections_too():
    text = json.dumps(report().as_dict())
    assert EvalReport.read(json.loads(text)) == report()
    earlier = {k: v for k, v in json.loads(text).items() if k not in ("expert", "taxonomy_quality", "critic")}
    assert EvalReport.read(earlier).diversity.global_ == 0.5


def test_unknown_keys_are_errors_unless_a_plugin_section_type_is_given():
    class Extra(Section):
        n: int

        def summary(self) -> str:
            return str(self.n)

    raw = report().as_dict() | {"extra": {"n": 3}}
    with pytest.raises(ValidationError, match="extra"):
        EvalReport.read(raw)
    back = EvalReport.read(raw, plugins={"extra": Extra})
    assert back.section("extra") == Extra(n=3) and list(back.as_dict())[11] == "extra"
    with pytest.raises(ValidationError):
        DiversitySection.model_validate({"embedder": "s", "k": 1, "global": 0.1, "local": 0.1, "more": 1})
