"""Code that runs inside the Rasa server: the normaliser component, the checked REST channel, the stores, start-up patches."""
