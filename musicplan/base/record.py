"""Annotated classes to plain data classes, cheap to define.

``dataclasses`` builds and compiles several methods for every class when the
module is imported: about half a millisecond each, which for the thirty data
classes on the path of ``musicplan check`` was a fifth of its start-up. A
``Record`` reads its fields from the annotations, shares ``__eq__`` and
``__repr__``, and compiles a plain ``__init__`` for a class only when the
first record of it is made (a generic one would cost more on every record).

When to use which: a ``Record`` for data on the path of ``check`` and
``compile`` (imported on every run, made by the thousand); a dataclass
anywhere else (commands, the client, tests), where its features are worth more
than its import time. Type checkers see a ``Record`` as a dataclass
(``dataclass_transform``), so constructors are checked like a dataclass's.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    _T = TypeVar("_T")

_MISSING: Any = object()


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    def Factory(make: Callable[[], _T]) -> _T:  # noqa: N802 - reads as the class it stands for
        """A default made anew for each record, e.g. ``items: list[int] = Factory(list)``."""
        ...
else:
    Factory = _Factory

    def dataclass_transform(**_: Any) -> Callable[[_T], _T]:
        return lambda cls: cls


@dataclass_transform(eq_default=True)
class _RecordMeta(type):
    """Gives each record ``__slots__`` for its fields (a third of the memory of a
    ``__dict__``, which counts on a large song); defaults move to ``_defaults``."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        inherited = {field for base in bases for field in getattr(base, "_fields", ())}
        own = [field for field in namespace.get("__annotations__", {})
               if not field.startswith("_") and field not in inherited]
        defaults = {field: namespace.pop(field) for field in own if field in namespace}
        namespace.setdefault("__slots__", tuple(own))
        cls: Any = super().__new__(mcls, name, bases, namespace, **kwargs)
        cls._fields = tuple(getattr(cls, "_fields", ())) + tuple(own) if bases else ()
        cls._defaults = {**getattr(cls, "_defaults", {}), **defaults}
        if bases and "__init__" not in namespace:
            cls.__init__ = Record.__init__  # not a parent's compiled one
        return cls


class Record(metaclass=_RecordMeta):
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        cls.__init__ = _compile_init(cls)  # type: ignore[method-assign]
        cls.__init__(self, *args, **kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple[type, tuple]:
        # Pickled as the class and its fields in order (worker processes send
        # diagnostics back): a third of the size and time of the slots' state.
        return type(self), tuple([getattr(self, name) for name in self._fields])


def _compile_init(cls: type[Record]) -> Callable[..., None]:
    params, body = [], []
    for name in cls._fields:
        default = cls._defaults.get(name, _MISSING)
        if default is _MISSING:
            params.append(name)
            body.append(f"    self.{name} = {name}")
        elif isinstance(default, _Factory):
            params.append(f"{name}=_MISSING")
            body.append(f"    self.{name} = _defaults[{name!r}].make() if {name} is _MISSING else {name}")
        else:
            params.append(f"{name}=_defaults[{name!r}]")
            body.append(f"    self.{name} = {name}")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_defaults": cls._defaults}
    exec(source, namespace)  # noqa: S102 - our own field names, from annotations
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
