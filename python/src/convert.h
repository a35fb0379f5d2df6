// Conversions between rein's C++ values and Python objects, shared by the binding files:
// tensors to NumPy arrays (copied or viewed), NumPy actions to rein actions, Python keyword
// arguments to Kwargs, Info to dicts, and the exception types the module raises.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string_view>

#include "envs/env.h"
#include "tensor/tensor.h"

namespace rein::python {

namespace py = pybind11;

// A new NumPy array holding a copy of `t` (any layout; rank 0 gives a 0-d array).
py::array to_numpy_copy(const Tensor& t);
// A NumPy array over `t`'s memory (no copy). The array keeps the storage alive, so it stays
// valid, but it sees every later write into that storage (vector env buffers are overwritten
// by the next step). `t` must be contiguous.
py::array to_numpy_view(const Tensor& t);
// The Python type name of obj, for messages ("float", "ndarray").
std::string type_name(const py::handle& obj);
// `obj` as a NumPy array of numbers (bool, int, float; no copy when it already is one); raises
// InvalidArgument naming `owner` for anything else (strings, objects, ragged lists).
py::array as_numeric_array(const py::handle& obj, const std::string& owner);
// The NumPy dtype of a rein dtype.
py::dtype numpy_dtype(Dtype dtype);

// Python keyword arguments as rein's textual Kwargs: str as is, bool as true/false, int and
// float as their shortest repr, None as "none", a list or tuple of those comma-separated. Other
// types raise InvalidArgument naming `owner`.
envs::Kwargs to_kwargs(const py::dict& kwargs, std::string_view owner);
// A reset seed: None or a non-negative int (Gymnasium's rule); anything else raises.
std::optional<uint64_t> to_seed(const py::object& seed, std::string_view owner);

// Info as a dict of Python floats and NumPy arrays (copies).
py::dict to_dict(const envs::Info& info);

// The Python exception types, created once by register_errors() in the module:
//   rein.Error(RuntimeError)            any failure rein reports
//   rein.InvalidArgument(Error, ValueError)  a bad argument (unknown id, bad action, bad kwarg)
// A rein::Error escaping a bound function becomes rein.Error with rein's message.
void register_errors(py::module_& m);
[[noreturn]] void raise_invalid(const std::string& message);
// Runs f(); a rein::Error it throws is raised as InvalidArgument (for calls whose only failures
// are bad arguments, like make() with an unknown id).
template <typename F>
auto invalid_on_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const rein::Error& e) {
    raise_invalid(e.what());
  }
}

// Holds an action converted from Python for the duration of one step() call: the Action views
// the buffers kept here.
class ActionHolder {
 public:
  // Raises InvalidArgument (with `owner` and the space) when `action` does not fit `space`.
  ActionHolder(const py::handle& action, const envs::Space& space, std::string_view owner);
  const envs::Action& action() const { return *action_; }

 private:
  py::array floats_;  // Box: float32, C-contiguous
  py::array ints_;    // MultiDiscrete: int64, C-contiguous
  std::optional<envs::Action> action_;
};

// Converts a batch of actions for N envs (shape (N, *action_shape)) into `out`, a contiguous
// int64 (Discrete, MultiDiscrete) or float32 (Box) tensor of that shape. Discrete and
// MultiDiscrete values are range-checked. Raises InvalidArgument on a wrong shape, a
// non-integer dtype for a discrete space, or a value out of range.
void batch_actions(const py::handle& actions, const envs::Space& space, int64_t num_envs,
                   Tensor& out);

}  // namespace rein::python
