"""The Telegram channel: a python-telegram-bot bridge to the assistant's REST channel.

Run it with `python -m bot.telegram` (see bot/telegram/README.md).
"""
