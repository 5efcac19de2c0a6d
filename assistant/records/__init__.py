"""What the assistant could not answer, and what users said about its answers, stored through SQLAlchemy.

The tables live in the knowledge database (DATABASE_URL) but in a metadata of their own, created on first use:

- unanswered_questions: every fallback, with the question redacted (phone numbers, citizen ID numbers and
  e-mail addresses replaced by a label) before it is stored;
- feedback: "helpful" / "wrong" given on an answer, with the knowledge entry ("topic:id") it came from and a
  SHA-256 hash of the sender (never the sender id itself);
- turns: every question the answer action handled, what became of it (answered from an entry or a passage,
  asked back, declined, unanswered), the entry or passage used, question and reply redacted, the sender as a
  keyed hash; kept RECORDS_RETENTION_DAYS days (`purge_records`).

One module a job: `tables` (rows and recording), `turns` (every turn, its outcome, retention), `redact`,
`grouping` (near-duplicate questions), `reports` (grouped reports and CSV), `activity` (day by day). Every function takes a session; the caller owns the transaction:

    with Session.begin() as session:
        record_unanswered(session, text, "vi", "telegram", "nlu_fallback", {"entities": []})
"""

from assistant.records.activity import Activity, Day, activity, write_activity_csv
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
    ANSWERED,
    DECLINED,
    DID_YOU_MEAN,
    ENTRY,
    FEEDBACK_VALUES,
    HELPFUL,
    OUTCOMES,
    PASSAGE,
    UNANSWERED,
    WRONG,
    FeedbackRow,
    TurnRow,
    UnansweredRow,
    create_records_schema,
    drop_records_schema,
    record_feedback,
    record_unanswered,
    sender_hash,
)
from assistant.records.turns import (
    RatedTurn,
    attach_feedback,
    keyed_sender,
    load_sender_key,
    purge_records,
    rated_turns,
    record_turn,
    turn_outcome,
)

__all__ = [
    "ANSWERED",
    "DECLINED",
    "DID_YOU_MEAN",
    "EMAIL_LABEL",
    "ENTRY",
    "FEEDBACK_CSV_HEADER",
    "FEEDBACK_VALUES",
    "HELPFUL",
    "ID_LABEL",
    "LABELS",
    "LOCAL_TIME_ZONE",
    "LOCATION_LABEL",
    "OUTCOMES",
    "PASSAGE",
    "PHONE_LABEL",
    "UNANSWERED",
    "UNANSWERED_CSV_HEADER",
    "WRONG",
    "Activity",
    "Day",
    "EntryFeedback",
    "FeedbackRow",
    "Group",
    "RatedTurn",
    "TurnRow",
    "UnansweredRow",
    "activity",
    "attach_feedback",
    "create_records_schema",
    "drop_records_schema",
    "feedback_report",
    "keyed_sender",
    "load_sender_key",
    "local_iso",
    "near_duplicates",
    "purge_records",
    "question_key",
    "rated_turns",
    "record_feedback",
    "record_turn",
    "record_unanswered",
    "redact",
    "sender_hash",
    "similarity",
    "since_utc",
    "turn_outcome",
    "unanswered_report",
    "write_activity_csv",
    "write_feedback_csv",
    "write_unanswered_csv",
]
