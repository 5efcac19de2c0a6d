"""Rasa's own command line, with fixes applied before it starts (why and what each saved: docs/benchmarks.md).

- `cache_action_reply_validation`: Rasa 3.6 checks every action-server reply with `jsonschema.validate`, which
  re-checks the constant schema against the meta-schema and builds a new validator each time; the validator is
  built once here, the check and its error message are unchanged.
- `cache_event_types`: Rasa turns every stored event back into an object by looking its type up in a list of
  all `Event` subclasses that it rebuilds for every event; the lookup is kept in a dictionary built once from the
  same list, and a type name it does not know rebuilds it first, so events defined later are still found.
- `build_models_for_prediction`: loading a model, Rasa builds DIET's layers by training it on one example
  before reading the trained weights, which is most of the cold start; the same layers are built by predicting
  on that example eagerly instead (tests/test_rasa_server.py checks both give the same predictions).
  Fine-tuning keeps Rasa's way.
- `close_connections_after_reply`, with several Sanic workers (SANIC_WORKERS, set by runtime/supervisor.py from
  RASA_WORKERS): the workers share one listening socket and a kept-alive connection stays with the worker that
  accepted it, so one client's connections could all land on one worker while the other idles. Closing each
  connection after its reply makes every request a new connection, taken by a worker that is free.
- A tracker store that fails (its database down) fails the message instead of Rasa's silent fallback to a
  conversation in this process's memory: rasa_ext/tracker_store.py says why.

Usage is Rasa's: `python -m rasa_ext.server run --model ...` (runtime/supervisor.py starts Rasa this way).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any


@functools.lru_cache(maxsize=1)
def _action_reply_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def cache_action_reply_validation() -> None:
    """Make `RemoteAction._validate_action_result` reuse one validator (same checks, same errors)."""
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            _action_reply_validator().validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}"
                "/custom-actions"
            )
            raise

    RemoteAction._validate_action_result = validate_action_result


def cache_event_types() -> None:
    """Make `Event.resolve_by_type` look the type name up in a dictionary instead of rebuilding the list of
    event classes for every event (same classes, same order of precedence, same errors)."""
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    original = events.Event.resolve_by_type
    known: dict[str, type[events.Event]] = {}

    def rebuild() -> None:
        known.clear()
        for cls in all_subclasses(events.Event):
            known.setdefault(cls.type_name, cls)  # the first class with a name wins, as in Rasa's loop

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        if type_name not in known:
            rebuild()
        found = known.get(type_name)
        return found if found is not None else original(type_name, default)

    events.Event.resolve_by_type = staticmethod(resolve_by_type)


def build_models_for_prediction() -> None:
    """Make `RasaModel.load` build a model for prediction by predicting instead of training on one example."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or predict_data_example is None:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
            run_eagerly=config.get(RUN_EAGERLY),
        )
        eagerly = model._run_eagerly
        model._run_eagerly = True
        model.run_inference(predict_data_example)  # creates every variable prediction uses, without tracing
        model._run_eagerly = eagerly
        # what that first prediction prepared was computed with untrained weights: prepare again
        model.prepared_for_prediction = False
        model._tf_predict_step = None
        # the file also holds the optimizer's state, which a model that only predicts does not need
        model.load_weights(model_file_name).expect_partial()
        model.run_inference(predict_data_example)  # traces the prediction graph, as Rasa's load does
        return model

    RasaModel.load = classmethod(load)


def close_connections_after_reply() -> None:
    """Make the Rasa server answer every request with `Connection: close` and close the connection."""
    import rasa.core.run

    original = rasa.core.run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)

        async def close_after(request: Any, response: Any) -> None:
            if request.stream is not None:
                request.stream.keep_alive = False

        app.register_middleware(close_after, "response")
        return app

    rasa.core.run.configure_app = configure_app


def _sanic_workers() -> int:
    try:
        return int(os.environ.get("SANIC_WORKERS", "1"))
    except ValueError:
        return 1  # Rasa says so and runs one worker


def main() -> None:
    """Apply the fixes, then hand over to Rasa's CLI with the same arguments."""
    cache_action_reply_validation()
    cache_event_types()
    build_models_for_prediction()
    from rasa_ext.tracker_store import fail_on_tracker_store_errors

    fail_on_tracker_store_errors()
    if _sanic_workers() > 1:
        close_connections_after_reply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
