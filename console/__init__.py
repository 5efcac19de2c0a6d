"""The staff console: what people ask, what the assistant missed, and the knowledge, in a browser.

An aiohttp application with pages rendered on the server (`python -m console`, on CONSOLE_HOST:CONSOLE_PORT,
127.0.0.1:8081 by default; docs/console.md). One module a job: `app` (routes, sessions, form tokens),
`auth` (passwords, sessions, login throttle), `store` (accounts, audit log, marks), `editing` (knowledge
forms written back into the YAML files), `documents` (pasted source documents), `tryit` (asking the running
assistant), `pages`, `html`, `charts` (rendering), `wording` (console/messages.yml).
"""
