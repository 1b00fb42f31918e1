"""Every public name of numpynn, numpynn.data and numpynn.testing has a docstring, and so has every
public method and property of its classes, as ``help()`` shows it: a method that overrides a
documented one (``ReLU.forward`` of ``Layer.forward``) shows its base's docstring."""

import inspect
import types

import pytest

import numpynn
import numpynn.data
import numpynn.testing


def undocumented(module) -> list[str]:
    """The public names of ``module`` (its ``__all__``) without a docstring, and those of the
    public methods and properties of its classes (defined in numpynn, not in Exception or
    object), as ``Class.method``."""
    found = []
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            found += [name] if not obj.__doc__ else []
            found += [f"{name}.{method}" for method in _public_methods(obj)
                      if not _inherited_doc(obj, method)]  # fmt: skip
        elif inspect.isfunction(obj) and not obj.__doc__:
            found.append(name)
    return found


def _public_methods(cls) -> list[str]:
    own = [klass for klass in cls.__mro__ if klass.__module__.startswith("numpynn")]
    names = {name for klass in own for name, value in vars(klass).items()
             if not name.startswith("_") and isinstance(value, types.FunctionType | property | classmethod | staticmethod)}  # fmt: skip
    return sorted(names)


def _inherited_doc(cls, name: str) -> str | None:
    """The docstring ``help(cls)`` shows for ``name``: its own, else the first of a base's."""
    docs = [vars(klass)[name].__doc__ for klass in cls.__mro__ if name in vars(klass)]
    return next((doc for doc in docs if doc), None)


@pytest.mark.parametrize(
    "module", [numpynn, numpynn.data, numpynn.testing], ids=lambda m: m.__name__
)
def test_every_public_function_class_method_and_property_has_a_docstring(module):
    assert undocumented(module) == []


def test_the_check_names_what_lacks_a_docstring():
    class Base:
        """Documented."""

        def forward(self, x):
            """Documented once, here."""

    class Bare(Base):  # no docstring of its own
        limit = 3  # a constant, not a method

        def forward(self, x):  # inherits Base.forward's docstring
            return x

        def backward(self, grad):
            return grad

        @property
        def size(self):
            return 0

        def _private(self):
            return None

    def helper():
        return None

    def documented():
        """Here."""

    for obj in (Base, Bare, helper, documented):
        obj.__module__ = "numpynn.fake"
    fake = types.SimpleNamespace(
        __all__=["Base", "Bare", "helper", "documented", "numpynn"],
        Base=Base, Bare=Bare, helper=helper, documented=documented, numpynn=numpynn,
    )  # fmt: skip
    assert undocumented(fake) == ["Bare", "Bare.backward", "Bare.size", "helper"]
