"""What became of each field of one source item: kept as it was, changed (and why), or dropped
(and why). Every reader fills one for each item it reads, so the migration report (and
``syndicate import --json``) accounts for every field of every item."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fields:
    kept: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"field": name, "why": reason}
    dropped: list[dict] = field(default_factory=list)  # {"field": name, "why": reason}

    def keep(self, name: str) -> None:
        if name not in self.kept:
            self.kept.append(name)

    def change(self, name: str, why: str) -> None:
        self.changed.append({"field": name, "why": why})

    def drop(self, name: str, why: str) -> None:
        self.dropped.append({"field": name, "why": why})

    def names(self) -> list[str]:
        """Every field accounted for, once each, in the order first met."""
        seen: dict[str, None] = dict.fromkeys(self.kept)
        for entry in (*self.changed, *self.dropped):
            seen.setdefault(entry["field"], None)
        return list(seen)

    def all_dropped(self, why: str) -> Fields:
        """The same fields, all dropped for ``why`` (an item that was not imported)."""
        return Fields(dropped=[{"field": name, "why": why} for name in self.names()])

    def to_dict(self) -> dict:
        return {"kept": list(self.kept), "changed": list(self.changed),
                "dropped": list(self.dropped)}
