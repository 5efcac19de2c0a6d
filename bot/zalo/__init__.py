"""The Zalo channel: a bridge from the Zalo Bot Platform to the assistant's REST channel.

Run it with `python -m bot.zalo` (see bot/zalo/README.md).
"""
