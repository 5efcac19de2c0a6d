"""The web gateway: serves the embeddable chat widget and forwards its messages to the assistant."""
