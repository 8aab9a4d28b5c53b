"""SQLAlchemy models: the shared store of brands, providers, customers, cases and messages."""

from omnicase.model.base import Base
from omnicase.model.cases import Case, CaseLink, CaseReference, CaseStatus, Message
from omnicase.model.customers import Customer, Identity
from omnicase.model.events import Event, QuarantinedInput
from omnicase.model.jobs import Job, JobError, JobStatus
from omnicase.model.orgs import (
    ApiToken,
    Engagement,
    Organisation,
    OrgKind,
    Role,
    Team,
    User,
)
from omnicase.model.routing import (
    AgentLoad,
    AgentProfile,
    OverflowKind,
    OverflowRule,
    Presence,
    RoutingQueue,
    RoutingState,
    TeamHours,
)

__all__ = [
    "AgentLoad",
    "AgentProfile",
    "ApiToken",
    "Base",
    "Case",
    "CaseLink",
    "CaseReference",
    "CaseStatus",
    "Customer",
    "Engagement",
    "Event",
    "Identity",
    "Job",
    "JobError",
    "JobStatus",
    "Message",
    "OrgKind",
    "Organisation",
    "OverflowKind",
    "OverflowRule",
    "Presence",
    "QuarantinedInput",
    "Role",
    "RoutingQueue",
    "RoutingState",
    "Team",
    "TeamHours",
    "User",
]
