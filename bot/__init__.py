"""Channels of the assistant: the Telegram bridge and the web widget with its gateway."""
