"""Run the Zalo bridge: `python -m bot.zalo` (see bot/zalo/README.md)."""

import sys

from bot.zalo.app import main

sys.exit(main())
