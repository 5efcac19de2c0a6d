"""What differs between the knowledge folder and the knowledge loaded in the database, entry by entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.kb.entry import Entry


@dataclass
class TopicDiff:
    """Entry ids of one topic added to, removed from or changed in the folder, against the loaded knowledge."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id -> names of the changed fields

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def knowledge_diff(folder: dict[str, list[Entry]], loaded: dict[str, list[Entry]]) -> dict[str, TopicDiff]:
    """What loading `folder` would change, per topic (topics without changes are left out)."""
    result: dict[str, TopicDiff] = {}
    for topic in sorted(set(folder) | set(loaded)):
        new = {e.id: e.to_json() for e in folder.get(topic, [])}
        old = {e.id: e.to_json() for e in loaded.get(topic, [])}
        diff = TopicDiff(
            added=[i for i in new if i not in old],
            removed=[i for i in old if i not in new],
        )
        for entry_id in new.keys() & old.keys():
            fields = sorted(
                k
                for k in new[entry_id].keys() | old[entry_id].keys()
                if new[entry_id].get(k) != old[entry_id].get(k)
            )
            if fields:
                diff.changed[entry_id] = fields
        diff.changed = dict(sorted(diff.changed.items()))
        if diff:
            result[topic] = diff
    return result
