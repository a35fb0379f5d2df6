// The tracking half of the module: a run written by rein's RunWriter (the same background
// writer thread, batching and crash safety as `rein train`). rein/tracker.py adds the context
// manager. log() only buffers (no GIL-free work is needed there); calls that wait for the disk
// release the GIL so the writer thread and other Python threads go on.
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "convert.h"
#include "tracker/run_writer.h"

namespace rein::python {
namespace {

tracker::ParamValue to_param(const std::string& key, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (PyIndex_Check(value.ptr()))
    return py::int_(py::reinterpret_borrow<py::object>(value)).cast<std::int64_t>();
  if (PyFloat_Check(value.ptr()) ||
      py::isinstance(value, py::module_::import("numpy").attr("floating"))) {
    return py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>();
  }
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  raise_invalid("param '" + key + "' must be a bool, int, float or str, got " + type_name(value));
}

tracker::RunStatus to_status(const std::string& status) {
  if (status == "finished") return tracker::RunStatus::Finished;
  if (status == "failed") return tracker::RunStatus::Failed;
  if (status == "interrupted") return tracker::RunStatus::Interrupted;
  raise_invalid("finish: status must be 'finished', 'failed' or 'interrupted', got '" + status +
                "'");
}

class Run {
 public:
  Run(const std::string& db, const std::string& name, const std::string& experiment,
      const std::string& algorithm, const std::string& env, std::optional<std::int64_t> seed,
      const py::dict& params, const std::vector<std::string>& tags, const std::string& command) {
    tracker::RunSpec spec;
    spec.name = name;
    spec.experiment = experiment;
    spec.algorithm = algorithm;
    spec.env = env;
    spec.seed = seed;
    spec.command = command;
    spec.tags = tags;
    for (auto [k, v] : params) {
      const std::string key = py::str(k);
      spec.params.push_back({key, to_param(key, v)});
    }
    py::gil_scoped_release release;
    writer_ = std::make_unique<tracker::RunWriter>(db, spec);
  }

  void log(const py::dict& metrics, std::int64_t step) {
    tracker::RunWriter& w = get();
    for (auto [k, v] : metrics) {
      if (!py::isinstance<py::str>(k)) {
        raise_invalid("log: metric names must be str, got " + type_name(k));
      }
      const bool number = (PyFloat_Check(v.ptr()) || PyIndex_Check(v.ptr()) ||
                           py::isinstance(v, py::module_::import("numpy").attr("number"))) &&
                          !py::isinstance<py::str>(v);
      if (!number) {
        raise_invalid("log: metric '" + k.cast<std::string>() + "' must be a number, got " +
                      type_name(v));
      }
      w.log(k.cast<std::string>(), step,
            py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>());
    }
    w.check();
  }

  void log_params(const py::dict& params) {
    tracker::RunWriter& w = get();
    for (auto [k, v] : params) {
      const std::string key = py::str(k);
      w.log_param(key, to_param(key, v));
    }
  }
  void add_tag(const std::string& tag) { get().add_tag(tag); }
  void add_artifact(const std::string& kind, const std::string& path,
                    std::optional<std::int64_t> step) {
    get().add_artifact(kind, path, step);
  }
  void set_summary(const std::string& text) { get().set_summary(text); }
  void flush() {
    tracker::RunWriter& w = get();
    py::gil_scoped_release release;
    w.flush();
  }
  void finish(const std::string& status, const std::string& error) {
    const tracker::RunStatus s = to_status(status);
    tracker::RunWriter& w = get();
    {
      py::gil_scoped_release release;
      w.finish(s, error);
    }
    writer_.reset();
  }
  std::int64_t id() { return get().run_id(); }
  std::string name() { return get().run_name(); }
  bool active() const { return writer_ != nullptr; }
  std::uint64_t committed_points() { return get().committed_points(); }

 private:
  tracker::RunWriter& get() {
    if (!writer_) throw Error("Run: the run has finished; start a new run to log more");
    return *writer_;
  }
  std::unique_ptr<tracker::RunWriter> writer_;
};

}  // namespace

void bind_tracker(py::module_& m) {
  py::class_<Run>(m, "_Run")
      .def(py::init<const std::string&, const std::string&, const std::string&, const std::string&,
                    const std::string&, std::optional<std::int64_t>, const py::dict&,
                    const std::vector<std::string>&, const std::string&>(),
           py::arg("db"), py::arg("name"), py::arg("experiment"), py::arg("algorithm"),
           py::arg("env"), py::arg("seed"), py::arg("params"), py::arg("tags"), py::arg("command"))
      .def("log", &Run::log, py::arg("metrics"), py::arg("step"))
      .def("log_params", &Run::log_params)
      .def("add_tag", &Run::add_tag)
      .def("add_artifact", &Run::add_artifact, py::arg("kind"), py::arg("path"),
           py::arg("step") = py::none())
      .def("set_summary", &Run::set_summary)
      .def("flush", &Run::flush)
      .def("finish", &Run::finish, py::arg("status"), py::arg("error") = "")
      .def("id", &Run::id)
      .def("name", &Run::name)
      .def("committed_points", &Run::committed_points)
      .def_property_readonly("active", &Run::active);
}

}  // namespace rein::python
