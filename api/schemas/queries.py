"""Answers of the query routes: networks, one network, one agent, organisers."""

from __future__ import annotations

from typing import Any, Literal

from agentgraph.api.schemas.common import Page
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FlagOut",
    "NetworkSummary",
    "NetworkDetail",
    "AgentOut",
    "AgentMatch",
    "OrganiserOut",
    "Structure",
]

Structure = Literal["single_tier", "multi_level", "five_tier_plus"]


_EX_FLAG_OUT: dict[str, Any] = {
    "rule": "cn.threshold",
    "severity": "high",
    "citation": "《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》(2013) §1",
    "evidence": {
        "members": 30,
        "levels": 3,
        "min_members": 30,
        "min_levels": 3,
        "tier_counts": [1, 5, 24],
    },
}


class FlagOut(BaseModel):
    """One rule firing on one network, with rule id, citation and evidence."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EX_FLAG_OUT]})

    rule: str = Field(examples=["cn.threshold"])
    severity: str = Field(examples=["high"])
    citation: str
    evidence: dict[str, Any]


_EX_NETWORK_SUMMARY: dict[str, Any] = {
    "root": "001",
    "members": 30,
    "levels": 3,
    "structure": "multi_level",
    "flagged": True,
    "rules": ["cn.threshold"],
    "max_direct_recruits": 5,
    "mean_branching": 4.833,
}


class NetworkGrowthOut(BaseModel):
    """A network's growth from its members' join times, as loaded."""

    dated_members: int = Field(ge=0, description="Members with a join time.")
    first_joined: str | None = Field(description="ISO date of the first joining.")
    last_joined: str | None = Field(description="ISO date of the last joining.")
    doubling_days: int | None = Field(
        description="Days from half the final dated members to all of them (null below 2)."
    )


class NetworkSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_NETWORK_SUMMARY]})

    root: str
    members: int = Field(description="Members, the root included.")
    levels: int = Field(description="Layers, the root is level 1.")
    structure: Structure
    flagged: bool
    rules: list[str] = Field(description="Ids of the rules that fire.")
    max_direct_recruits: int
    mean_branching: float = Field(
        description="Direct recruits per member who recruited anyone: (members - 1) / recruiters."
    )
    growth: NetworkGrowthOut | None = Field(
        default=None,
        description="How the network grew, as loaded (null: the members carry no join time).",
    )


class NetworkDetail(NetworkSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "root": "001",
                    "members": 30,
                    "levels": 3,
                    "structure": "multi_level",
                    "flagged": True,
                    "rules": ["cn.threshold"],
                    "max_direct_recruits": 5,
                    "mean_branching": 4.833,
                    "tier_counts": [1, 5, 24],
                    "deepest_chain": ["001", "002", "007"],
                    "deepest_chain_length": 3,
                    "flags": [],
                }
            ]
        }
    )

    tier_counts: list[int] = Field(description="Members per level, index 0 = the root's.")
    deepest_chain: list[str] = Field(
        description="Root .. a deepest member (first chain_limit ids)."
    )
    deepest_chain_length: int
    flags: list[FlagOut]


class AgentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agent": "007",
                    "level": 3,
                    "root": "001",
                    "upline": "002",
                    "upline_chain": ["001", "002"],
                    "upline_chain_length": 2,
                    "direct_recruits": {
                        "items": [],
                        "total": 0,
                        "limit": 100,
                        "offset": 0,
                        "next_offset": None,
                    },
                    "downline": 1,
                    "downline_levels": 1,
                    "network_members": 30,
                    "network_levels": 3,
                    "network_rules": ["cn.threshold"],
                    "rank": None,
                }
            ]
        }
    )

    agent: str
    level: int = Field(description="Root = level 1.")
    root: str
    upline: str | None
    upline_chain: list[str] = Field(
        description="Root .. the agent's upline (first chain_limit ids)."
    )
    upline_chain_length: int
    direct_recruits: Page[str]
    downline: int = Field(description="Downline size, the agent included.")
    downline_levels: int = Field(description="Levels spanned by the agent's own downline.")
    network_members: int
    network_levels: int
    network_rules: list[str] = Field(description="Rules firing on the agent's network.")
    rank: str | None = None


class AgentMatch(BaseModel):
    """One agent whose id starts with the searched prefix."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"agent": "007", "level": 3, "root": "001", "downline": 1, "rank": None}]
        }
    )

    agent: str
    level: int = Field(description="Root = level 1.")
    root: str = Field(description="The root of the agent's network.")
    downline: int = Field(description="Downline size, the agent included.")
    rank: str | None = Field(default=None, description="The declared title (not a level).")


_EX_ORGANISER_OUT: dict[str, Any] = {
    "agent": "001",
    "network": "001",
    "downline": 30,
    "levels": 3,
    "direct_recruits": 5,
}


class OrganiserOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_ORGANISER_OUT]})

    agent: str
    network: str = Field(description="Root of the organiser's network.")
    downline: int
    levels: int
    direct_recruits: int
