"""SQLAlchemy models: the shared store of brands, providers, customers, cases and messages."""

from omnicase.model.base import Base
from omnicase.model.cases import Case, CaseLink, CaseReference, CaseStatus, Message
from omnicase.model.channels import CaseNote, ChannelAccount, InboxItem, InboxStatus
from omnicase.model.consistency import Inconsistency, Macro
from omnicase.model.customers import Customer, Identity
from omnicase.model.events import Event, QuarantinedInput
from omnicase.model.jobs import Job, JobError, JobStatus
from omnicase.model.kpis import KpiDaily, KpiDirtyDay, KpiWatermark
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
from omnicase.model.quality import QaGrid, QaReview, Survey, SurveyStatus
from omnicase.model.reasons import ReasonCorrection, ReasonModelVersion
from omnicase.model.reports import EngagementContract, Report
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
from omnicase.model.web import WebSession

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
    "EngagementContract",
    "Event",
    "Identity",
    "ImapState",
    "InboxItem",
    "InboxStatus",
    "Inconsistency",
    "Job",
    "JobError",
    "JobStatus",
    "KpiDaily",
    "KpiDirtyDay",
    "KpiWatermark",
    "LoginThrottle",
    "Macro",
    "Message",
    "OrgKind",
    "Organisation",
    "OverflowKind",
    "OverflowRule",
    "Presence",
    "QaGrid",
    "QaReview",
    "QuarantinedInput",
    "RateWindow",
    "ReasonCorrection",
    "ReasonModelVersion",
    "RecoveryCode",
    "Report",
    "Role",
    "RoutingQueue",
    "RoutingState",
    "SlaPolicy",
    "Survey",
    "SurveyStatus",
    "Team",
    "TeamHours",
    "User",
    "WebSession",
]
