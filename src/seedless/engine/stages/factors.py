"""Factor identification: the spec's factors as given, or the model proposes them from the description and samples."""

from __future__ import annotations

import json

from seedless.core.calls import FACTORS
from seedless.core.replies import FactorsReply
from seedless.core.taxonomy.names import select_names
from seedless.engine.llm.caller import Caller
from seedless.spec.models import FactorSpec, Spec


class StageError(Exception):
    """A stage could not produce its artifact; the message says why and what to do."""


def _sample_text(sample: object, limit: int = 400) -> str:
    text = sample if isinstance(sample, str) else json.dumps(sample, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def factor_variables(spec: Spec) -> dict[str, object]:
    """The factor proposer's template variables (the run and `seedless estimate` alike)."""
    return {"description": spec.description.strip(), "samples": [_sample_text(s) for s in spec.samples[:5]],
            "max_factors": spec.taxonomy.max_factors}


async def identify_factors(spec: Spec, caller: Caller) -> list[FactorSpec]:
    if spec.factors:
        return list(spec.factors)
    settings = spec.taxonomy
    result = await caller.ask(FACTORS, factor_variables(spec),
                              FactorsReply.bounded(max_items=settings.max_factors, max_chars=settings.max_name_chars))
    if result.value is None:
        raise StageError("factor identification failed (" + "; ".join(result.failures) +
                         "). Give the factors in the spec (factors: - name: ...), or use a stronger model.")
    by_name = {}
    for factor in result.value.factors:
        by_name.setdefault(factor.name, factor.description)
    names, _ = select_names(list(by_name), ancestors=[], max_chars=settings.max_name_chars,
                            limit=settings.max_factors)
    if not names:
        raise StageError("the model proposed no usable factor; give the factors in the spec")
    descriptions = {" ".join(k.split()).casefold(): v for k, v in by_name.items()}
    return [FactorSpec(name=n, description=descriptions.get(n.casefold(), "")[:1000].strip()) for n in names]
