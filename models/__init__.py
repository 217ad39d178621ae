"""SQLModel tables.  Importing this package registers every table on the metadata
Alembic compares against."""
from models.cases import Case, CaseUpdate  # noqa: F401
from models.tokens import ApiToken  # noqa: F401
from models.outbox import OutboundMessage, SmsRecipient  # noqa: F401
