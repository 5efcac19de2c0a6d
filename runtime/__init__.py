"""Running the assistant: the supervisor behind `make run`, training when needed, and the harness tests use."""
