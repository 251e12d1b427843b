"""Proposers of candidate controllers, registered by name (importing this module registers them all)."""

from autotts.discover.proposers import (  # noqa: F401  (importing registers them)
    anthropic_proposer,
    command,
    evolve,
    openai_proposer,
)
from autotts.discover.proposers.base import (
    Proposal,
    ProposalContext,
    Proposer,
    Usage,
    build_proposer,
    register_proposer,
    registered_proposers,
)

__all__ = ["Proposal", "ProposalContext", "Proposer", "Usage", "build_proposer", "register_proposer",
           "registered_proposers"]
