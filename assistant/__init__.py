"""The assistant's core: settings, text folding, the knowledge base, answering and records."""
