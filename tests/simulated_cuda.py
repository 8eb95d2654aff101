"""A stand-in CUDA device for machines without a GPU: finds the device bugs a real GPU run would raise.

Why our own: torch has no CPU backend that claims to be "cuda" and still computes (FakeTensorMode checks devices
but holds no data, so a notebook's ``.item()``, printing and plotting cannot run under it). Here every tensor
really lives on the CPU, and a ``TorchFunctionMode`` keeps a device *tag* per tensor:

- factories and ``.to()/.cuda()/.cpu()`` tag their result with the device asked for (default: cpu);
- every other torch function checks that its tensor inputs agree (a 0-dim cpu tensor may join cuda ones, as in
  CUDA) and tags its outputs alike; untagged tensors (made by the autograd engine) agree with anything;
- ``x.device``/``x.is_cuda`` answer as CUDA would, ``.numpy()``/``np.asarray`` of a cuda tensor and a cpu
  ``torch.Generator`` used for a cuda draw raise as CUDA would;
- ``torch.cuda.is_available()`` says True, so ``get_device("cuda")`` works.

What it cannot see: numerics and kernels that differ on a GPU (non-deterministic or missing CUDA kernels);
those need the real device (tests/test_gpu.py).
"""

from __future__ import annotations

import contextlib
import types

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

_CUDA, _CPU = "cuda", "cpu"
_TAG = "_simulated_device"


class SimulatedCudaError(RuntimeError):
    """What a real CUDA run would have raised."""


def tag(t):
    return getattr(t, _TAG, None)


def _set_tag(t, device):
    if isinstance(t, torch.Tensor) and device is not None:
        setattr(t, _TAG, device)


def _device_type(device) -> str | None:
    if device is None:
        return None
    if isinstance(device, int):
        return _CUDA
    return torch.device(device).type


def _tensors(args, kwargs):
    leaves, _ = tree_flatten((args, kwargs))
    return [x for x in leaves if isinstance(x, torch.Tensor)], [x for x in leaves if isinstance(x, torch.Generator)]


def _agree(func, tensors) -> str | None:
    """The device the inputs share, or raise as CUDA would."""
    devices = set()
    for t in tensors:
        device = tag(t)
        if device is None or (device == _CPU and t.dim() == 0):
            continue
        devices.add(device)
    if len(devices) > 1:
        raise SimulatedCudaError(
            f"{_name(func)}: expected all tensors to be on the same device, but found at least two devices, "
            "cuda:0 and cpu (simulated CUDA)"
        )
    return devices.pop() if devices else None


_METADATA = (torch._has_compatible_shallow_copy_type,)


def _attribute(func) -> tuple[str, str] | None:
    """("device", "__get__") for the getter of ``Tensor.device``: each access makes a new method-wrapper, so
    compare names rather than identities."""
    owner = getattr(func, "__self__", None)
    if isinstance(owner, types.GetSetDescriptorType):
        return owner.__name__, func.__name__
    return None


def _name(func) -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)


def _check_generators(func, generators, device):
    if device == _CUDA and any(g.device.type == _CPU for g in generators):
        raise SimulatedCudaError(f"{_name(func)}: Expected a 'cuda' device type for generator but found 'cpu'")


class SimulatedCuda(TorchFunctionMode):
    def __torch_function__(self, func, _types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        self_tensor = args[0] if args and isinstance(args[0], torch.Tensor) else None
        attribute = _attribute(func)

        if attribute == ("device", "__get__"):
            return torch.device("cuda:0") if tag(self_tensor) == _CUDA else func(*args)
        if attribute == ("is_cuda", "__get__"):
            return tag(self_tensor) == _CUDA
        if attribute == ("is_cpu", "__get__"):
            return tag(self_tensor) != _CUDA
        if func is torch.Tensor.get_device:
            return 0 if tag(self_tensor) == _CUDA else -1
        if func in (torch.Tensor.numpy, torch.Tensor.__array__) and tag(self_tensor) == _CUDA:
            raise TypeError(
                "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
                "memory first. (simulated CUDA)"
            )
        if attribute == ("data", "__set__"):
            func(*args)
            _set_tag(args[0], tag(args[1]))
            return None
        if attribute in (("grad", "__get__"), ("data", "__get__")):
            out = func(*args)
            if out is not None and tag(out) is None:
                _set_tag(out, tag(self_tensor))
            return out
        if func is torch.Tensor.to:
            return self._move(func, args, kwargs)
        if func is torch.Tensor.cuda:
            return self._copy_to(args[0], _CUDA)
        if func is torch.Tensor.cpu:
            return self._copy_to(args[0], _CPU)
        if func is torch.Tensor.copy_ or func in _METADATA:  # copy_ crosses devices, as on CUDA
            return func(*args, **kwargs)

        tensors, generators = _tensors(args, kwargs)
        asked = _device_type(kwargs.get("device"))
        if asked is not None:  # factory or *_like with an explicit device
            kwargs["device"] = _CPU
            device = asked
        elif func in (torch.Tensor.__getitem__, torch.Tensor.__setitem__, torch.Tensor.index_select):
            device = tag(self_tensor)  # cpu indices may index a cuda tensor; values are copied across
            if device != _CUDA:
                _agree(func, tensors)
        elif tensors:
            device = _agree(func, tensors)
        else:
            device = _CPU  # a factory without a device: torch's default device is the CPU
        _check_generators(func, generators, device)
        out = func(*args, **kwargs)
        for leaf in tree_flatten(out)[0]:
            _set_tag(leaf, device)
        return out

    def _move(self, func, args, kwargs):
        source, rest = args[0], args[1:]
        copy = kwargs.pop("copy", False)
        if rest and isinstance(rest[0], torch.Tensor):  # x.to(other): other's device and dtype
            target, dtype = tag(rest[0]) or _CPU, rest[0].dtype
            non_blocking, memory_format = kwargs.get("non_blocking", False), None
        else:
            device, dtype, non_blocking, memory_format = torch._C._nn._parse_to(*rest, **kwargs)
            target = _device_type(device) or tag(source) or _CPU
        extra = {} if memory_format is None else {"memory_format": memory_format}
        # a real move makes a new tensor: never re-tag the caller's one
        copy = copy or target != tag(source)
        out = func(source, dtype=dtype or source.dtype, non_blocking=non_blocking, copy=copy, **extra)
        _set_tag(out, target)
        return out

    def _copy_to(self, source, device):
        if tag(source) == device:
            return source
        out = source.clone()  # the mode is off inside __torch_function__: a plain clone
        _set_tag(out, device)
        return out


@contextlib.contextmanager
def simulated_cuda():
    """CUDA "available" and the device tags on, for the ``with`` block; everything put back after."""
    not_capturing = types.SimpleNamespace(is_capturing=lambda: False)
    original_new = torch.nn.Parameter.__new__

    def parameter_new(cls, data=None, requires_grad=True):  # nn.Parameter(t) is a new object: keep t's device
        param = original_new(cls, data, requires_grad)
        _set_tag(param, tag(data) if data is not None else _CPU)
        return param

    patches = [
        (torch.cuda, "is_available", lambda: True),
        (torch.cuda, "device_count", lambda: 1),
        (torch.cuda, "synchronize", lambda *a, **k: None),
        (torch.cuda, "empty_cache", lambda: None),
        (torch.cuda, "get_device_name", lambda *a, **k: "simulated CUDA device"),
        (torch.cuda, "is_current_stream_capturing", lambda: False),
        (torch.accelerator, "current_stream", lambda *a, **k: not_capturing),  # the optimizers' graph check
        (torch.nn.Parameter, "__new__", parameter_new),
    ]
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    try:
        with SimulatedCuda():
            yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


_installed = []


def install() -> None:
    """For a notebook kernel: simulate CUDA for the rest of the process (see simulated_cuda_site/)."""
    if not _installed:
        context = simulated_cuda()
        context.__enter__()
        _installed.append(context)  # held: a collected context manager would close and undo the patches
