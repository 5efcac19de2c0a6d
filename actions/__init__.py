"""The Rasa actions and the action server; everything they call lives in the assistant package."""
