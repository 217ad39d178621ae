"""SQLModel tables.  Importing this package registers every table on the metadata
Alembic compares against."""
from models import callbacks, calls  # noqa: F401  Call, CallEvent, CallbackRequest, CallbackAttempt
from models.agents import Agent, AgentOffer  # noqa: F401
from models.cases import Case, CaseUpdate  # noqa: F401
from models.forum import EqualityResponse, ForumConsent  # noqa: F401
from models.inbox import InboxMessage  # noqa: F401
from models.outbox import EmailRecipient, OutboundMessage, SmsRecipient  # noqa: F401
from models.reports import KpiDay, RatingCount, RatingPeriod  # noqa: F401
from models.staff import Announcement, AuditLog, CallbackNote, HoursOverride, StaffUser  # noqa: F401
from models.surveys import Engagement, InboundMessage, Survey  # noqa: F401
from models.tokens import ApiToken  # noqa: F401
from models.wallboard import AgentStateInterval, WallboardDevice  # noqa: F401
