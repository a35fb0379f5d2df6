// The native half of `import rein` (rein._rein). The Python package rein/ builds the public API
// on top of it; see docs/PYTHON.md.
#include "convert.h"

namespace rein::python {
void bind_envs(py::module_& m);
void bind_tracker(py::module_& m);
void bind_training(py::module_& m);
void bind_serve(py::module_& m);
}  // namespace rein::python

PYBIND11_MODULE(_rein, m) {
  m.doc() = "rein's native core: environments, tracking and training (use the rein package)";
  rein::python::register_errors(m);
  rein::python::bind_envs(m);
  rein::python::bind_tracker(m);
  rein::python::bind_training(m);
  rein::python::bind_serve(m);
}
