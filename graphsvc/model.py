"""The data model: the fixed set of labels and relationship types, and their lookup keys.

docs/data-model.md explains it; queries may use only these names.
"""
from __future__ import annotations

__all__ = ["LABELS", "ENTITY_LABELS", "RELS", "KEY", "ENTITY_TYPES", "label_for_type", "type_for_label"]

# Entities are global: one node per key, whatever the number of cases that mention it.
ENTITY_LABELS = ("Person", "BankCard", "Phone", "Device", "Report", "CashPoint")
LABELS = ENTITY_LABELS + ("Case", "ImportBatch")

RELS = (
    "OWNS",       # (Person)-[:OWNS]->(BankCard|Phone): 开户 / 实名 registered owner
    "HOLDS",      # (Person)-[:HOLDS]->(BankCard|Phone|Device): seized from this person (扣押)
    "USES",       # (Person|BankCard|Phone)-[:USES]->(Device|Phone): operated with this device/SIM
    "RESERVED",   # (BankCard)-[:RESERVED]->(Phone): 预留手机号 bound to the card
    "TRANSFER",   # (BankCard)-[:TRANSFER]->(BankCard): one money transfer
    "CASH",       # (BankCard)-[:CASH]->(CashPoint): cash withdrawal (direction out) or deposit (in)
    "FILED",      # (Person)-[:FILED]->(Report): a victim's report (报案)
    "PAID_FROM",  # (Report)-[:PAID_FROM]->(BankCard): the victim's card
    "PAID_TO",    # (Report)-[:PAID_TO]->(BankCard): the card the victim paid (usually a 一级卡)
    "LISTED",     # (Person)-[:LISTED]->(Case): on a watch list (重点人员) loaded in this case
    "IN_CASE",    # (entity)-[:IN_CASE]->(Case): provenance, the entity appears in this case
    "OF_CASE",    # (ImportBatch)-[:OF_CASE]->(Case)
)

# Every label is looked up by its `key` property (unique per label).
KEY = {label: "key" for label in LABELS}

# Short type names used in JSON (`type` field) and on the command line.
ENTITY_TYPES = {
    "person": "Person",
    "card": "BankCard",
    "phone": "Phone",
    "device": "Device",
    "report": "Report",
    "cashpoint": "CashPoint",
}
_TYPE_OF = {v: k for k, v in ENTITY_TYPES.items()}


def label_for_type(type_name: str) -> str:
    """Return the label of a JSON type name, refusing anything outside the schema."""
    try:
        return ENTITY_TYPES[type_name]
    except KeyError:
        raise ValueError(f"unknown entity type {type_name!r}; one of {', '.join(ENTITY_TYPES)}") from None


def type_for_label(label: str) -> str:
    """Return the JSON type name of a label."""
    return _TYPE_OF.get(label, label.lower())
