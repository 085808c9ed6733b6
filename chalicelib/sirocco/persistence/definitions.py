"""Workflow definitions, workbooks, ad-hoc actions, environments, cron and
event triggers in the definitions table.

Keys: ``pk = <kind>#<project_id>``, ``sk = <namespace>#<name>`` (the namespace
percent-quoted so a ``#`` in it cannot shift the split). The primary key is
Mistral's unique key, so a duplicate create fails in DynamoDB itself, with no
read first; a project's definitions of one kind are one Query; ``by_id`` serves
``/v2/<kind>/<uuid>`` and ``public`` the definitions other projects may see.
Definitions are small and rarely written, so both indexes project all
attributes (one read, no second fetch). A definition too large for a DynamoDB
item (a workflow document of hundreds of KB) has its largest texts moved to
the payload bucket, as execution records do, and read back transparently.
"""

from __future__ import annotations

import datetime
import json
import uuid
from contextlib import ExitStack, contextmanager
from typing import Any, Iterable, Iterator
from urllib.parse import quote

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from .keys import HASH_KEY_MAX, RANGE_KEY_MAX, fitted
from .models import Models, build_models
from .payloads import PayloadStore, fit_fields
from .settings import DEFAULT_PROJECT, Settings

#: attributes holding JSON text; given and returned as Python values
JSON_FIELDS = frozenset({"spec", "interface", "variables", "workflow_input", "workflow_params"})
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # Mistral's API shows times this way
#: DynamoDB refuses a transaction over 4 MB in all: the texts of its items share 3 MiB
#: (the rest is room for keys, names and the other attributes of up to 100 items)
TRANSACTION_TEXT_BUDGET = 3 * 1024 * 1024
#: attributes that stay in the item whatever its size: keys, index keys, identity, times
_NOT_OFFLOADED = frozenset({"pk", "sk", "kind", "id", "name", "namespace", "project_id", "scope", "created_at",
                            "updated_at", "g_public", "s3"})


class DuplicateDefinition(Exception):
    """A definition of that kind, name and namespace exists in the project
    (``item``: the one that could not be created, when known)."""

    def __init__(self, message: str, item: Any = None) -> None:
        super().__init__(message)
        self.item = item
        self.kind = kind_of(item) if item is not None else None


class DefinitionMissing(Exception):
    """A definition a transaction replaces or deletes does not exist (any more)."""

    def __init__(self, message: str, item: Any) -> None:
        super().__init__(message)
        self.item = item


class TransactionTooLarge(Exception):
    """DynamoDB refused the transaction: over 100 items or 4 MB."""


#: bytes of the sort key's namespace part; the name gets the rest of the 1024
NAMESPACE_KEY_MAX = 512


def namespace_prefix(namespace: str) -> str:
    """The sort keys of a namespace's definitions begin with this."""
    return f"{fitted(quote(namespace or '', safe=''), NAMESPACE_KEY_MAX)}#"


def definition_key(kind: str, project_id: str, namespace: str, name: str) -> tuple[str, str]:
    """(pk, sk); parts too long for DynamoDB's key limits are shortened with a digest (keys.py)."""
    prefix = namespace_prefix(namespace)
    pk = f"{kind}#{fitted(project_id, HASH_KEY_MAX - len(kind) - 1)}"
    return pk, prefix + fitted(name, RANGE_KEY_MAX - len(prefix.encode("utf-8")))


def kind_of(item: Any) -> str:
    """The kind name of a definition item (PynamoDB gives the class for the discriminator)."""
    return type(item).get_attributes()["kind"].get_discriminator(type(item))


def to_dict(item: Any) -> dict[str, Any]:
    """A definition's attributes by Mistral's names (JSON attributes parsed)."""
    data = {name: getattr(item, name) for name in item.get_attributes()
            if name not in ("pk", "sk", "g_public", "s3")}
    data["kind"] = kind_of(item)
    for name in JSON_FIELDS & data.keys():
        if data[name] is not None:
            data[name] = json.loads(data[name])
    return data


class DefinitionStore:
    def __init__(self, settings: Settings | None = None, models: Models | None = None,
                 payloads: PayloadStore | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.models = models or build_models(self.settings)
        self.Definition = self.models.Definition
        self._payloads = payloads

    @property
    def payloads(self) -> PayloadStore:
        """Made on first use: only definitions too large for an item need S3."""
        if self._payloads is None:
            self._payloads = PayloadStore(self.settings)
        return self._payloads

    def _save(self, item: Any, condition: Any) -> None:
        """Save ``item``, its largest texts in S3 if it would not fit DynamoDB's item limit
        (the item keeps their keys in ``s3``); the texts stay readable on ``item``."""
        with self._fitted(item):
            item.save(condition=condition)

    @contextmanager
    def _fitted(self, item: Any, budget: int | None = None) -> Iterator[None]:
        """While inside, ``item`` fits an item (or ``budget`` bytes of texts): its largest texts are in S3."""
        texts = {name: value for name, attr in type(item).get_attributes().items()
                 if name not in _NOT_OFFLOADED and isinstance(attr, UnicodeAttribute)
                 and isinstance(value := getattr(item, name), str)}
        prefix = f"definitions/{item.id}"
        _, offloaded = fit_fields(texts, self.settings.item_budget if budget is None else budget,
                                  lambda text: self.payloads.put(prefix, text.encode("utf-8")))
        for name in offloaded:
            setattr(item, name, None)
        item.s3 = json.dumps(offloaded) if offloaded else None
        try:
            yield
        finally:
            for name in offloaded:
                setattr(item, name, texts[name])

    def _restore(self, item: Any) -> Any:
        """Bring back the texts a large definition keeps in S3."""
        if item is not None and item.s3:
            for name, key in json.loads(item.s3).items():
                setattr(item, name, self.payloads.get(key).decode("utf-8"))
        return item

    def _class(self, kind: str) -> Any:
        try:
            return self.models.definition_kinds[kind]
        except KeyError:
            raise ValueError(f"unknown definition kind {kind!r}") from None

    @staticmethod
    def _values(fields: dict[str, Any]) -> dict[str, Any]:
        return {k: json.dumps(v) if k in JSON_FIELDS and v is not None and not isinstance(v, str) else v
                for k, v in fields.items()}

    def build(self, kind: str, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT,
              key: str | None = None, **fields: Any) -> Any:
        """A definition item, not saved (``id``, ``created_at`` made if not
        given). ``key`` keys it instead of ``name`` (event triggers: by id)."""
        cls = self._class(kind)
        pk, sk = definition_key(kind, project_id, namespace, name if key is None else key)
        now = datetime.datetime.now(datetime.timezone.utc).strftime(TIME_FORMAT)
        values = self._values(fields)
        values.setdefault("id", str(uuid.uuid4()))
        values.setdefault("created_at", now)
        scope = values.get("scope") or "private"
        return cls(pk, sk, name=name, namespace=namespace, project_id=project_id,
                   g_public=kind if scope == "public" else None, **values)

    def create(self, kind: str, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT,
               key: str | None = None, **fields: Any) -> Any:
        """Store a new definition (``id``, ``created_at`` made if not given);
        ``DuplicateDefinition`` if the key is taken."""
        item = self.build(kind, name, namespace=namespace, project_id=project_id, key=key, **fields)
        cls = type(item)
        try:
            self._save(item, cls.pk.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                if self._stored_as(item):  # our own put: applied, its answer lost, retried by botocore
                    return item
                raise DuplicateDefinition(f"{kind} {name!r} exists in namespace {namespace!r}", item) from None
            raise
        return item

    def _stored_as(self, item: Any) -> bool:
        """The definition at ``item``'s key is ``item`` (same id): a write of it was applied."""
        try:
            found = self.Definition.get(item.pk, item.sk, consistent_read=True)
        except self.Definition.DoesNotExist:
            return False
        return found.id == item.id

    def _applied(self, ops: list[tuple[str, Any]]) -> bool:
        """A transaction whose condition failed on a retry was applied by an earlier attempt
        (its answer lost): its created items are there with their ids, its deleted ones gone."""
        for op, item in ops:
            if op == "create" and not self._stored_as(item):
                return False
            if op == "delete":
                try:
                    self.Definition.get(item.pk, item.sk, consistent_read=True)
                    return False
                except self.Definition.DoesNotExist:
                    pass
        return True

    def transact(self, *, create: Iterable[Any] = (), replace: Iterable[Any] = (),
                 delete: Iterable[Any] = ()) -> None:
        """Write built items all or none (one TransactWriteItems, at most 100):
        ``create`` where the key is free, ``replace`` and ``delete`` where it is
        taken. Large texts go to S3 so that the whole fits DynamoDB's 4 MB.
        ``DuplicateDefinition`` / ``DefinitionMissing`` name the item whose
        condition failed."""
        ops = [("delete", item) for item in delete]
        ops += [("create", item) for item in create] + [("replace", item) for item in replace]
        if not ops:
            return
        keys = [(item.pk, item.sk) for _, item in ops]
        if len(set(keys)) != len(keys):
            raise ValueError("a transaction may write each definition once")
        connection = self.Definition._get_connection().connection
        writes = sum(op != "delete" for op, _ in ops)
        budget = min(self.settings.item_budget, TRANSACTION_TEXT_BUDGET // max(writes, 1))
        try:
            with ExitStack() as fitted_items:
                for op, item in ops:
                    if op != "delete":
                        fitted_items.enter_context(self._fitted(item, budget))
                with TransactWrite(connection=connection) as tx:
                    for op, item in ops:
                        cls = type(item)
                        if op == "delete":
                            tx.delete(item, condition=cls.pk.exists())
                        else:
                            tx.save(item, condition=cls.pk.does_not_exist() if op == "create" else cls.pk.exists())
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons if exc.cause_response_code == "TransactionCanceledException" else []
            failed = any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons or [])
            if failed and self._applied(ops):
                return
            for (op, item), reason in zip(ops, reasons or []):
                if reason is not None and reason.code == "ConditionalCheckFailed":
                    if op == "create":
                        raise DuplicateDefinition(f"{kind_of(item)} {item.name!r} exists", item) from None
                    raise DefinitionMissing(f"{kind_of(item)} {item.name!r} does not exist", item) from None
            if exc.cause_response_code == "ValidationException":
                raise TransactionTooLarge(exc.cause_response_message or str(exc)) from None
            raise

    def update(self, kind: str, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT,
               **fields: Any) -> Any | None:
        """Change attributes of an existing definition (``updated_at`` set);
        None if there is none."""
        item = self.get(kind, name, namespace=namespace, project_id=project_id, include_public=False)
        if item is None:
            return None
        values = self._values(fields)
        values.setdefault("updated_at", datetime.datetime.now(datetime.timezone.utc).strftime(TIME_FORMAT))
        for key, value in values.items():
            setattr(item, key, value)
        if "scope" in values:
            item.g_public = kind if values["scope"] == "public" else None
        self._save(item, type(item).pk.exists())
        return item

    def get(self, kind: str, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT,
            include_public: bool = True) -> Any | None:
        """The project's definition, else (``include_public``) a public one of another project."""
        cls = self._class(kind)
        pk, sk = definition_key(kind, project_id, namespace, name)
        try:
            return self._restore(cls.get(pk, sk))
        except cls.DoesNotExist:
            pass
        if include_public:
            for item in cls.public.query(kind, cls.sk == sk, limit=1):
                return self._restore(item)
        return None

    def get_by_id(self, definition_id: str, kind: str | None = None) -> Any | None:
        for item in self.Definition.by_id.query(definition_id, limit=1):
            if kind is None or kind_of(item) == kind:
                return self._restore(item)
        return None

    def list(self, kind: str, *, project_id: str = DEFAULT_PROJECT, namespace: str | None = None,
             include_public: bool = True) -> list[Any]:
        """The project's definitions of one kind (one Query), plus other projects'
        public ones; sorted by namespace and name."""
        cls = self._class(kind)
        pk = definition_key(kind, project_id, "", "")[0]
        prefix = None if namespace is None else namespace_prefix(namespace)
        found = list(cls.query(pk, cls.sk.startswith(prefix)) if prefix is not None else cls.query(pk))
        if include_public:
            query = cls.public.query(kind, cls.sk.startswith(prefix)) if prefix is not None else cls.public.query(kind)
            found += [item for item in query if item.project_id != project_id]
        return sorted((self._restore(item) for item in found), key=lambda i: (i.namespace, i.name, i.project_id))

    def delete(self, kind: str, name: str, *, namespace: str = "", project_id: str = DEFAULT_PROJECT) -> bool:
        cls = self._class(kind)
        pk, sk = definition_key(kind, project_id, namespace, name)
        try:
            cls(pk, sk).delete(condition=cls.pk.exists())
            return True
        except Exception as exc:  # DeleteError
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
