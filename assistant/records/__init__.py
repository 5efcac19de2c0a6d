"""What the assistant could not answer, and what users said about its answers, stored through SQLAlchemy.

The tables live in the knowledge database (DATABASE_URL) but in a metadata of their own, created on first use:

- unanswered_questions: every fallback, with the question redacted (phone numbers, citizen ID numbers and
  e-mail addresses replaced by a label) before it is stored;
- feedback: "helpful" / "wrong" given on an answer, with the knowledge entry ("topic:id") it came from and a
  SHA-256 hash of the sender (never the sender id itself).

One module a job: `tables` (rows and recording), `redact`, `grouping` (near-duplicate questions), `reports`
(grouped reports and CSV). Every function takes a session; the caller owns the transaction:

    with Session.begin() as session:
        record_unanswered(session, text, "vi", "telegram", "nlu_fallback", {"entities": []})
"""

from assistant.records.grouping import near_duplicates, question_key, similarity
from assistant.records.redact import EMAIL_LABEL, ID_LABEL, LABELS, LOCATION_LABEL, PHONE_LABEL, redact
from assistant.records.reports import (
    FEEDBACK_CSV_HEADER,
    LOCAL_TIME_ZONE,
    UNANSWERED_CSV_HEADER,
    EntryFeedback,
    Group,
    feedback_report,
    local_iso,
    since_utc,
    unanswered_report,
    write_feedback_csv,
    write_unanswered_csv,
)
from assistant.records.tables import (
    FEEDBACK_VALUES,
    HELPFUL,
    WRONG,
    FeedbackRow,
    UnansweredRow,
    create_records_schema,
    drop_records_schema,
    record_feedback,
    record_unanswered,
    sender_hash,
)

__all__ = [
    "EMAIL_LABEL",
    "FEEDBACK_CSV_HEADER",
    "FEEDBACK_VALUES",
    "HELPFUL",
    "ID_LABEL",
    "LABELS",
    "LOCAL_TIME_ZONE",
    "LOCATION_LABEL",
    "PHONE_LABEL",
    "UNANSWERED_CSV_HEADER",
    "WRONG",
    "EntryFeedback",
    "FeedbackRow",
    "Group",
    "UnansweredRow",
    "create_records_schema",
    "drop_records_schema",
    "feedback_report",
    "local_iso",
    "near_duplicates",
    "question_key",
    "record_feedback",
    "record_unanswered",
    "redact",
    "sender_hash",
    "similarity",
    "since_utc",
    "unanswered_report",
    "write_feedback_csv",
    "write_unanswered_csv",
]
