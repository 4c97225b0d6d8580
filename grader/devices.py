"""Device checks: does student code keep its tensors on the input's device?

On a machine without a GPU the ``meta`` device stands in for CUDA: a CPU
tensor made inside the function meets the meta input and torch says so
("expected device", "Cannot copy out of meta tensor").  A meta tensor holds no
data, though, so code that reads values (``.item()``, ``int(y[i])``,
``if torch.isnan(X).any(): raise``) cannot run there at all, whatever it does
with devices.  Such a failure is *inconclusive*, in every assignment: the
point is then decided on real-device evidence, the outputs and gradients of
a run on the CPU (and on CUDA where there is one) staying on the input's
device.
"""
from grader.compare import assert_meta
from grader.errors import CheckFailure, NotImplementedYet, StudentError
from grader.numgrad import upstream_like
from grader.parity import cuda_available, gpu, gpu_name
from grader.student import expect_tensor

# Errors that mean "a tensor on another device met the input" (or data was pulled
# to the host).  Other errors on meta say nothing about devices.
DEVICE_WORDS = ("expected device", "same device", "Cannot copy out of meta",
                "device type tensor to numpy", "Expected all tensors to be on the same")
DEVICE_HINT = ("a tensor made inside your function lives on the CPU while the input is on "
               "another device; create new tensors on the input's device (device=x.device, "
               "torch.zeros_like(x), x.new_zeros(...), torch.rand(x.shape, device=x.device))")


def is_device_error(exc: BaseException) -> bool:
    return any(word in str(exc) for word in DEVICE_WORDS)


def check_device(student, name: str, args: list, what: str, kwargs: dict | None = None,
                 wrt: list[int] = (), hint: str = DEVICE_HINT) -> None:
    """Fail if ``name`` mixes devices; decide on real devices when meta cannot run it."""
    kwargs = kwargs or {}
    try:
        result = student.run(name, *args, kwargs=kwargs, device="meta")
    except (StudentError, NotImplementedYet) as exc:
        # torch raises NotImplementedError("Cannot copy out of meta tensor") when a CPU
        # buffer receives meta data, so look at the message, not the type.
        if is_device_error(exc):
            raise CheckFailure(f"{what} failed for inputs on the meta device ({exc}). "
                               f"Hint: {hint}") from None
        if isinstance(exc, NotImplementedYet):
            raise   # the student's own `raise NotImplementedError`: not done yet
        _decide_on_real_devices(student, name, args, kwargs, what, wrt, exc)
        return
    expect_tensor(result.output, what)
    # Only the device: shape and dtype mistakes already cost points in other checks.
    assert_meta(result.output_info, f"{what} for inputs on the meta device", device="meta")


def _decide_on_real_devices(student, name, args, kwargs, what, wrt, meta_error) -> None:
    """Outputs and gradients must stay on the input's device, on the CPU and on CUDA."""
    student.info(f"{what} cannot run on the meta device, which holds no values "
                 f"({meta_error.exc_type if isinstance(meta_error, StudentError) else 'error'}:"
                 f" it reads tensor data, e.g. .item() or int(t[i])); decided on real devices")
    devices = [("cpu", "cpu")] + ([(gpu(), gpu_name())] if cuda_available() else [])
    for device, reported in devices:
        try:
            _on_device(student, name, args, kwargs, what, wrt, device, reported)
        except (StudentError, NotImplementedYet) as exc:
            if isinstance(exc, NotImplementedYet) and not is_device_error(exc):
                raise
            if is_device_error(exc):
                raise CheckFailure(f"{what} failed for inputs on {reported} ({exc}). "
                                   f"Hint: {DEVICE_HINT}") from None
            raise CheckFailure(f"{what} raised {exc} for inputs on {reported}, so where its "
                               "tensors live cannot be checked; the value checks show "
                               "why it raises") from None


def _on_device(student, name, args, kwargs, what, wrt, device, reported) -> None:
    plain = expect_tensor(student.run(name, *args, kwargs=kwargs, device=device).output, what)
    options = {}
    if wrt and plain.is_floating_point():
        options = {"grad_wrt": list(wrt), "upstream": upstream_like(plain, 0)}
    result = student.run(name, *args, kwargs=kwargs, device=device, **options)
    assert_meta(result.output_info, f"{what} for inputs on {reported}", device=reported)
    # The worker lists each tensor's info in encounter order: the output, then the
    # gradients that are not None.
    infos = iter(result.infos[1:])
    for position, grad in zip(wrt, result.grads):
        info = next(infos, None) if grad is not None else None
        if info is not None and info.get("device") != reported:
            raise CheckFailure(f"{what}: the gradient of argument {position + 1} is on "
                               f"{info.get('device')}, expected {reported} (the input's "
                               f"device). Hint: {DEVICE_HINT}")


