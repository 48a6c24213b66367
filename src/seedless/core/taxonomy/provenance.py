"""Why each part of a taxonomy exists: level plans, per-node proposals, critic edits and rejected names."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from seedless.core.replies import CriticEdit


class RejectedName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    reason: str


class NodeDecision(BaseModel):
    """How one node's children were chosen."""

    model_config = ConfigDict(extra="forbid")
    factor: str
    path: list[str]
    proposals: list[list[str]] = Field(default_factory=list, description="Each proposal's names, cleaned.")
    pooled: list[str] = Field(default_factory=list, description="Distinct proposed names, most votes first.")
    critic_edits: list[CriticEdit] = Field(default_factory=list)
    added: list[str] = Field(default_factory=list, description="Kept names no proposal had.")
    removed: list[str] = Field(default_factory=list, description="Pooled names the critic dropped.")
    children: list[str] = Field(default_factory=list)
    rejected: list[RejectedName] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list, description="Calls that failed, with the reason.")

    @property
    def lost(self) -> bool:
        """Every proposal failed (an error after its retries, or a reply that never validated): the node has no
        children for want of an answer, not because the model proposed none."""
        return not self.proposals and bool(self.failures)

    def key(self) -> str:
        return "decision/" + "/".join(self.path)


class LevelPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    factor: str
    level: int
    plan: str

    def key(self) -> str:
        return f"plan/{self.factor}/{self.level}"
