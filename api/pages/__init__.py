"""The pages people open in a browser: plain HTML and ES modules (`static/`) under the CSP, on the JSON
API the scripts call. A new page is a module here, added to `PAGES`."""

from __future__ import annotations

from api.pages import chat, checkout, dev_mailbox, orders, signups, store, unsubscribe

PAGES = (unsubscribe, signups, checkout, store, orders, dev_mailbox, chat)
