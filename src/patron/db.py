"""Shared model base, the enqueue-after-commit helper, and queries prepared once for hot paths."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # how querysets attach select_related rows
from django.db.models.sql import UpdateQuery

# How Django's SQLite cursor turns the "%s" placeholders every backend is written with into the
# "?" sqlite3 takes; done once for a prepared statement instead of on each run.
_SQLITE_PLACEHOLDER = re.compile(r"(?<!%)%s")


class TimestampedModel(models.Model):
    """Every table knows when its rows were created and last changed (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    """Enqueue a background task only once the surrounding transaction has committed, so the
    worker never sees a row that was rolled back or is not yet visible."""
    enqueue: Callable[..., Any] = task.enqueue
    transaction.on_commit(lambda: enqueue(**kwargs))


def hold_advisory_lock(key: int, *, shared: bool = False) -> None:
    """Take PostgreSQL's advisory lock `key` until the transaction ends; `shared` holders do not
    wait for each other, only for an exclusive one. SQLite needs none: it runs one writer at a
    time."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])


def refresh_statistics() -> None:
    """Give the query planner fresh statistics about the data. Without them SQLite guesses, and
    on a large desk it guesses wrong: it merges several indexes for the inbox and sorts tens of
    thousands of rows instead of walking the index already in the order wanted. SQLite reads
    every row (0.4 s for 100,000 cases and 500,000 messages): from a sample of the first rows of
    each index it took a status or kind to hold a few hundred cases where it holds tens of
    thousands, and sorted all of them for a page of closed cases, oldest first (64 ms, not 4).
    Run after migrating, after loading or importing data, and when the worker starts."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def remember_related(instance: models.Model, name: str, objects: list[Any]) -> None:
    """Record the rows of a many-side relation as already fetched (as prefetch_related would),
    when the code that just wrote them knows them all, so showing the row costs no query. Stored
    as prefetch_related stores them, a queryset already evaluated, so the relation's manager
    still answers every query as usual."""
    cache: dict[str, Any] = getattr(instance, "_prefetched_objects_cache", {})
    cache.pop(name, None)
    instance._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    if objects:
        queryset = getattr(instance, name).get_queryset()
    else:
        # None at all (a new case's tags, usually): an empty queryset answers every query as the
        # relation's own would, without building the relation's manager and filter.
        related = cast(type[models.Model], instance._meta.get_field(name).related_model)
        queryset = related._default_manager.none()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[name] = queryset


# More rows than this written at once are an import or the demo, which nobody shows as they are
# written: remembering their relations costs more (a manager and a filtered query each) than
# the queries it would save.
REMEMBERED_AT_MOST = 20


def remember_related_of(name: str, objects_by_instance: Sequence[tuple[models.Model, list[Any]]]) -> None:
    """`remember_related` for each instance written, when they are few enough to be shown."""
    if len(objects_by_instance) > REMEMBERED_AT_MOST:
        return
    for instance, objects in objects_by_instance:
        remember_related(instance, name, objects)


M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Statement:
    """A prepared statement's SQL as Django's cursors take it, and as the driver takes it."""

    sql: str
    driver_sql: str

    @classmethod
    def of(cls, sql: str, vendor: str) -> _Statement:
        driver_sql = _SQLITE_PLACEHOLDER.sub("?", sql).replace("%%", "%") if vendor == "sqlite" else sql
        return cls(sql, driver_sql)


def _run(
    db: BaseDatabaseWrapper, statement: _Statement, params: Sequence[Any], *, fetch: bool
) -> tuple[list[Any], int]:
    """Run a prepared statement: its rows (when `fetch`) and how many rows it changed.

    Django's cursor wraps every statement in several layers (the cursor wrapper, the error
    wrapper, SQLite's placeholder rewriting), which on a hot path take longer than the indexed
    statement itself. A prepared statement goes to the driver's cursor with the checks those
    layers make (a usable connection, one thread, no broken transaction) and its errors turned
    into Django's as usual. While queries are being logged or watched (a test counting them, a
    wrapper installed), it goes the usual way, so everything watching sees it."""
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as wrapped:
            wrapped.execute(statement.sql, params)
            return (wrapped.fetchall() if fetch else []), wrapped.rowcount
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = db.connection.cursor() if db.vendor == "sqlite" else db.create_cursor()
        try:
            cursor.execute(statement.driver_sql, params)
            return (cursor.fetchall() if fetch else []), cursor.rowcount
        finally:
            cursor.close()


# Fields whose pre_save reads the attribute and whose conversion returns a value of this exact
# type unchanged (a subclass, such as a choices enum, is converted as usual).
_UNCONVERTED: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.EmailField: str,
    models.BooleanField: bool,
    models.FloatField: float,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    # The primary keys that foreign keys point to.
    models.AutoField: int,
    models.BigAutoField: int,
    models.SmallAutoField: int,
}


def _stored_as_is(field: models.Field[Any, Any]) -> type | None:
    if isinstance(field, models.ForeignKey):
        return _stored_as_is(field.target_field)
    if type(field) is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        # An aware datetime goes straight to the backend's adapter, as the field would send it
        # after checking it is aware (a naive one, or any other value, takes the field's way).
        return datetime
    return _UNCONVERTED.get(type(field))


def _datetime_adapter(db: BaseDatabaseWrapper) -> Callable[[datetime], Any]:
    """How the backend takes an aware datetime. SQLite's adapter, which stores it as text in the
    connection's time zone, re-checks on each call what a prepared insert already knows."""
    if db.vendor == "sqlite" and settings.USE_TZ:
        zone = db.timezone
        return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
    return cast(Callable[[datetime], Any], db.ops.adapt_datetimefield_value)


_SLOT = "\x00slot:"
# Far outside any key or count a desk will hold, and never sent to the database.
_FIRST_SLOT_NUMBER = -(2**62)


class _Slot(str):
    """A query parameter's marker while a query is prepared: text to a text field, and a number
    no row holds to a number field (whose preparation calls `int()` on it), so both come back
    recognisable among the compiled query's parameters."""

    number: int

    def __new__(cls, name: str, number: int) -> _Slot:
        slot = super().__new__(cls, f"{_SLOT}{name}")
        slot.number = number
        return slot

    def __int__(self) -> int:
        return self.number


@dataclass(frozen=True)
class _CompiledSelect:
    """What the ORM works out for a query before and after running it: the SQL with its
    parameters, and how each row becomes a model instance with its related rows."""

    statement: _Statement
    slots: list[str | None]
    fixed: list[Any]
    model: type[models.Model]
    init_list: list[str]
    start: int
    end: int
    related: list[Any]
    annotations: dict[str, int]
    converters: dict[int, tuple[list[Any], Any]]
    prefetch: tuple[Any, ...]


class PreparedQuery(Generic[M]):
    """A fixed-shape query on a hot path, written with the ORM and turned into SQL once.

    Building a query through the ORM costs a few tenths of a millisecond every time, more than
    an indexed lookup takes to run; on a path every request takes (the token, the customer of
    an address, the records a case page shows) that is much of the request. `build` is called
    once per database with a marker for each parameter, and later calls only bind the values
    and turn rows into instances as the ORM would: `select_related` rows attached, fields and
    annotations converted, `prefetch_related` lookups fetched. Only plain comparisons may take
    parameters (a lookup that rewrites its value, like `icontains`, is refused when the query
    is prepared)."""

    def __init__(self, build: Callable[..., QuerySet[M]], names: Sequence[str] | None = None) -> None:
        """`names` are the parameters, when `build` takes them as keywords (`**values`) rather
        than naming each."""
        self._build = build
        self._names = list(names) if names is not None else list(inspect.signature(build).parameters)
        self._prepared: dict[str, _CompiledSelect] = {}

    def __call__(self, **values: Any) -> list[M]:
        # The connection itself, looked up once: each use of the `connection` proxy is a lookup
        # in a context-local store.
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._prepare(db)
        rows, _ = _run(db, compiled.statement, _bound(compiled.slots, compiled.fixed, values), fetch=True)
        found = [self._instance(compiled, row, db) for row in rows]
        if compiled.prefetch and found:
            models.prefetch_related_objects(found, *compiled.prefetch)
        return found

    @staticmethod
    def _instance(compiled: _CompiledSelect, row: Sequence[Any], db: BaseDatabaseWrapper) -> M:
        if compiled.converters:
            row = _converted(row, compiled.converters, db)
        instance = compiled.model.from_db(db.alias, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.related:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance  # type: ignore[return-value]

    def _prepare(self, db: BaseDatabaseWrapper) -> _CompiledSelect:
        if db.vendor not in self._prepared:
            self._prepared[db.vendor] = self._compile(db.vendor)
        return self._prepared[db.vendor]

    def _compile(self, vendor: str) -> _CompiledSelect:
        queryset = self._build(**_markers(self._names))
        compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        slots = _slots_in(params, self._names)
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None, "A prepared query selects model instances."
        fields = klass_info["select_fields"]
        return _CompiledSelect(
            statement=_Statement.of(sql, vendor),
            slots=slots,
            fixed=list(params),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
            start=fields[0],
            end=fields[-1] + 1,
            related=get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),
            annotations=dict(compiler.annotation_col_map or {}),
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            prefetch=tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class _CompiledRows:
    statement: _Statement
    slots: list[str | None]
    fixed: list[Any]
    converters: dict[int, tuple[list[Any], Any]]


class PreparedRows:
    """A fixed-shape `values_list` query on a hot path, turned into SQL once, as `PreparedQuery`
    does for model instances: rows come back as tuples, each column converted as the ORM would
    (dates, JSON). Only plain comparisons may take parameters."""

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self._build = build
        self._names = list(inspect.signature(build).parameters)
        self._prepared: dict[str, _CompiledRows] = {}

    def __call__(self, **values: Any) -> list[tuple[Any, ...]]:
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor not in self._prepared:
            self._prepared[db.vendor] = self._compile(db.vendor)
        compiled = self._prepared[db.vendor]
        rows, _ = _run(db, compiled.statement, _bound(compiled.slots, compiled.fixed, values), fetch=True)
        if not compiled.converters:
            return [tuple(row) for row in rows]
        return [tuple(_converted(row, compiled.converters, db)) for row in rows]

    def _compile(self, vendor: str) -> _CompiledRows:
        queryset = self._build(**_markers(self._names))
        compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        return _CompiledRows(
            statement=_Statement.of(sql, vendor),
            slots=_slots_in(params, self._names),
            fixed=list(params),
            converters=compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]]),
        )


def _converted(row: Sequence[Any], converters: dict[int, tuple[list[Any], Any]], db: BaseDatabaseWrapper) -> list[Any]:
    """A row's columns as the ORM hands them over (dates, JSON), from what the driver gave."""
    values = list(row)
    for position, (column_converters, expression) in converters.items():
        for convert in column_converters:
            values[position] = convert(values[position], expression, db)
    return values


def _markers(names: Sequence[str]) -> dict[str, _Slot]:
    return {name: _Slot(name, _FIRST_SLOT_NUMBER + index) for index, name in enumerate(names)}


def _slots_in(params: Sequence[Any], names: Sequence[str]) -> list[str | None]:
    """For each parameter of a compiled query, the name it is bound to, or None for a fixed one."""
    by_number = {marker.number: name for name, marker in _markers(names).items()}
    slots = [_slot_of(param, by_number) for param in params]
    if sorted(set(filter(None, slots))) != sorted(names) or any(
        isinstance(param, str) and _SLOT in param and slot is None for param, slot in zip(params, slots, strict=True)
    ):
        raise ValueError("Every parameter of a prepared query must be compared as it is given.")
    return slots


def _bound(slots: Sequence[str | None], fixed: Sequence[Any], values: dict[str, Any]) -> list[Any]:
    """The parameters to run a prepared statement with: each slot's value, the fixed ones kept."""
    return [values[slot] if slot is not None else fixed[index] for index, slot in enumerate(slots)]


class PreparedSQL:
    """A fixed statement written by hand for a hot path, run the way prepared ORM statements are
    (`_run`). Its table and column names come from the models, never from input; its values are
    parameters, adapted by the caller as for a cursor."""

    def __init__(self, sql: str) -> None:
        self._sql = sql
        self._statements: dict[str, _Statement] = {}

    def rows(self, *params: Any) -> list[Any]:
        """The rows a query answers with."""
        db = connections[DEFAULT_DB_ALIAS]
        found, _ = _run(db, self._statement(db), params, fetch=True)
        return found

    def run(self, *params: Any) -> int:
        """Run a statement that answers with no rows (an insert, update or delete): how many
        rows it changed."""
        db = connections[DEFAULT_DB_ALIAS]
        _, changed = _run(db, self._statement(db), params, fetch=False)
        return int(changed)

    def _statement(self, db: BaseDatabaseWrapper) -> _Statement:
        statement = self._statements.get(db.vendor)
        if statement is None:
            statement = self._statements[db.vendor] = _Statement.of(self._sql, db.vendor)
        return statement


class PreparedUpdate:
    """A fixed-shape UPDATE on a hot path (one every audited action makes), written with the
    ORM and turned into SQL once, as `PreparedQuery` does for reads. `build` gives the rows to
    change and the new values; parameters may be text or numbers. Answers how many rows it
    changed, as `QuerySet.update` does."""

    def __init__(self, build: Callable[..., tuple[QuerySet[Any], dict[str, Any]]]) -> None:
        self._build = build
        self._names = list(inspect.signature(build).parameters)
        self._prepared: dict[str, tuple[_Statement, list[str | None], list[Any]]] = {}

    def __call__(self, **values: Any) -> int:
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor not in self._prepared:
            self._prepared[db.vendor] = self._compile(db.vendor)
        statement, slots, fixed = self._prepared[db.vendor]
        _, changed = _run(db, statement, _bound(slots, fixed, values), fetch=False)
        return int(changed)

    def _compile(self, vendor: str) -> tuple[_Statement, list[str | None], list[Any]]:
        queryset, new_values = self._build(**_markers(self._names))
        query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
        query.add_update_values(new_values)
        if query.related_updates:
            raise ValueError("A prepared update changes one table.")
        sql, params = query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
        return _Statement.of(sql, vendor), _slots_in(params, self._names), list(params)


def _slot_of(param: Any, by_number: dict[int, str]) -> str | None:
    if isinstance(param, str) and param.startswith(_SLOT):
        return param.removeprefix(_SLOT)
    # PostgreSQL's driver may be handed numbers wrapped in its own int subclasses (Int8).
    if isinstance(param, int) and not isinstance(param, bool):
        return by_number.get(int(param))
    return None


class _RowValues(Generic[M]):
    """A model's column values as its fields would hand them to the database, worked out per
    field once: what a prepared insert or save sends for a row."""

    def __init__(self, model: type[M], field_names: Sequence[str] | None = None) -> None:
        self._model = model
        self._fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and (field_names is None or field.name in field_names)
        ]
        if field_names is not None and len(self._fields) != len(set(field_names)):
            raise ValueError(
                f"Not columns of {model.__name__}: {sorted(set(field_names) - {f.name for f in self._fields})}"
            )
        # For each field, the one type of value its conversion would hand to the database as it
        # is (a string to a text column, an integer to a number or a key): such values go as
        # they are, which is most of them, and any other through the field's own conversion.
        self._as_is = [_stored_as_is(field) for field in self._fields]
        # Every column's value of a row in one call, rather than an attribute lookup each.
        attnames = [field.attname for field in self._fields]
        self._values_of: Callable[[M], tuple[Any, ...]] = (
            attrgetter(*attnames) if len(attnames) > 1 else lambda row: (getattr(row, attnames[0]),)
        )

    def _params(
        self, row: M, adapt_datetime: Callable[[datetime], Any], db: BaseDatabaseWrapper, *, adding: bool = True
    ) -> list[Any]:
        params = []
        for value, as_is, field in zip(self._values_of(row), self._as_is, self._fields, strict=True):
            if as_is is None or (value is not None and type(value) is not as_is):
                params.append(field.get_db_prep_save(field.pre_save(row, adding), db))
            elif as_is is datetime and isinstance(value, datetime):
                # A naive datetime takes the field's way, with its warning.
                aware = value.tzinfo is not None
                params.append(adapt_datetime(value) if aware else field.get_db_prep_save(value, db))
            else:
                params.append(value)
        return params


class PreparedSave(_RowValues[M]):
    """Rows that exist written back, their `field_names` (every column when None), with an
    UPDATE written once: `save()` builds its statement anew on each call, which costs more than
    the update on the paths every change to a case takes. As `save(update_fields=…)` without
    signals. Answers how many rows it found."""

    def __init__(self, model: type[M], field_names: Sequence[str] | None = None) -> None:
        super().__init__(model, field_names)
        self._statements: dict[str, _Statement] = {}

    def __call__(self, rows: Sequence[M]) -> int:
        db = connections[DEFAULT_DB_ALIAS]
        statement = self._statement(db)
        adapt_datetime = _datetime_adapter(db)
        found = 0
        for row in rows:
            _, changed = _run(
                db, statement, [*self._params(row, adapt_datetime, db, adding=False), row.pk], fetch=False
            )
            found += changed
        return found

    def _statement(self, db: BaseDatabaseWrapper) -> _Statement:
        if db.vendor not in self._statements:
            quote = db.ops.quote_name
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in self._fields)
            sql = (
                f"UPDATE {quote(self._model._meta.db_table)} SET {assignments} "  # noqa: S608
                f"WHERE {quote(self._model._meta.pk.column)} = %s"
            )
            self._statements[db.vendor] = _Statement.of(sql, db.vendor)
        return self._statements[db.vendor]


class PreparedInsert(_RowValues[M]):
    """New rows of one model added with an INSERT … RETURNING written once per number of rows.

    `bulk_create` builds its statement anew on each call, which costs more than the insert on the
    path every new case takes (the case, its first message, its event); this writes the same
    statement once and gives each row its primary key as `bulk_create` does. Rows are stored as
    given (no signals, as with `bulk_create`); the model's primary key must be automatic."""

    def __init__(self, model: type[M]) -> None:
        super().__init__(model)
        self._statements: dict[tuple[str, int], _Statement] = {}

    def __call__(self, rows: Sequence[M]) -> list[M]:
        if not rows:
            return []
        db = connections[DEFAULT_DB_ALIAS]
        if not db.features.can_return_rows_from_bulk_insert:
            return self._model._default_manager.bulk_create(rows)
        batch = self._batch_size(db, rows)
        for start in range(0, len(rows), batch):
            self._insert(db, rows[start : start + batch])
        return list(rows)

    def _insert(self, db: BaseDatabaseWrapper, rows: Sequence[M]) -> None:
        adapt_datetime = _datetime_adapter(db)
        params = [value for row in rows for value in self._params(row, adapt_datetime, db)]
        returned, _ = _run(db, self._statement(db, len(rows)), params, fetch=True)
        for row, (key,) in zip(rows, returned, strict=True):
            row.pk = key
            row._state.adding = False
            row._state.db = db.alias

    def _batch_size(self, db: BaseDatabaseWrapper, rows: Sequence[M]) -> int:
        # One row always fits, and asking the backend walks every field: most inserts are one row.
        return 1 if len(rows) == 1 else max(1, db.ops.bulk_batch_size(self._fields, rows))

    def _statement(self, db: BaseDatabaseWrapper, count: int) -> _Statement:
        key = (db.vendor, count)
        if key not in self._statements:
            quote = db.ops.quote_name
            columns = ", ".join(quote(field.column) for field in self._fields)
            row = "(" + ", ".join(["%s"] * len(self._fields)) + ")"
            pk = quote(self._model._meta.pk.column)
            sql = (
                f"INSERT INTO {quote(self._model._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([row] * count)} RETURNING {pk}"
            )
            self._statements[key] = _Statement.of(sql, db.vendor)
        return self._statements[key]
