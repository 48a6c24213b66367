"""One datapoint from its mix: Step and Draft, one module per step, the step registry, the maker that runs it."""

from seedless.engine.stages.datapoint.maker import DatapointMaker
from seedless.engine.stages.datapoint.meta_prompt import choose_meta_prompt
from seedless.engine.stages.datapoint.step import (
    Context,
    Draft,
    Job,
    Step,
    requirements,
)

__all__ = ["Context", "DatapointMaker", "Draft", "Job", "Step", "choose_meta_prompt", "requirements"]
