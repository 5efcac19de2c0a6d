"""Run the Telegram bridge: `python -m bot.telegram` (see bot/telegram/README.md)."""

import sys

from bot.telegram.app import main

sys.exit(main())
