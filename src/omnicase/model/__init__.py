"""SQLAlchemy models: the shared store of brands, providers, customers, cases and messages."""

from omnicase.model.base import Base
from omnicase.model.cases import Case, CaseLink, CaseReference, CaseStatus, Message
from omnicase.model.channels import CaseNote, ChannelAccount, InboxItem, InboxStatus
from omnicase.model.customers import Customer, Identity
from omnicase.model.events import Event, QuarantinedInput
from omnicase.model.jobs import Job, JobError, JobStatus
from omnicase.model.mailboxes import ImapState
from omnicase.model.orgs import (
    ApiToken,
    Engagement,
    Organisation,
    OrgKind,
    Role,
    Team,
    User,
)
from omnicase.model.reasons import ReasonCorrection, ReasonModelVersion
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
from omnicase.model.security import LoginThrottle, RateWindow, RecoveryCode
from omnicase.model.sla import Calendar, SlaPolicy

__all__ = [
    "AgentLoad",
    "AgentProfile",
    "ApiToken",
    "Base",
    "Calendar",
    "Case",
    "CaseLink",
    "CaseNote",
    "CaseReference",
    "CaseStatus",
    "ChannelAccount",
    "Customer",
    "Engagement",
    "Event",
    "Identity",
    "ImapState",
    "InboxItem",
    "InboxStatus",
    "Job",
    "JobError",
    "JobStatus",
    "LoginThrottle",
    "Message",
    "OrgKind",
    "Organisation",
    "OverflowKind",
    "OverflowRule",
    "Presence",
    "QuarantinedInput",
    "RateWindow",
    "ReasonCorrection",
    "ReasonModelVersion",
    "RecoveryCode",
    "Role",
    "RoutingQueue",
    "RoutingState",
    "SlaPolicy",
    "Team",
    "TeamHours",
    "User",
]
