"""Code the Rasa server loads in the scaled-out set-up (`make run-scaled`, endpoints.scaled.yml)."""
