"""Custom actions of the assistant and the knowledge-base code they call."""
