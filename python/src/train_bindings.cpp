// The training half of the module: rein.train (a tracked run, like `rein train` for a new run),
// rein.evaluate and rein.load_policy. Training and evaluation release the GIL; Ctrl-C in Python
// stops training as `rein train` stops (after the iteration, or within a long off-policy collect
// phase), leaving an interrupted run with a checkpoint.
#include <pybind11/stl.h>

#include <atomic>
#include <optional>
#include <string>

#include "convert.h"
#include "rl/blocks/policy.h"
#include "rl/evaluate.h"
#include "rl/trainer.h"
#include "session/stop_signals.h"
#include "session/train.h"

namespace rein::python {
namespace {

py::dict eval_dict(const rl::EvalResult& r) {
  py::dict d;
  d["mean_return"] = r.mean_return;
  d["std_return"] = r.std_return;
  d["returns"] = r.returns;
  d["lengths"] = r.lengths;
  d["success_rate"] = r.success_rate ? py::cast(*r.success_rate) : py::none();
  d["warning"] = r.warning;
  return d;
}

// Ctrl-C while the main thread trains with the GIL released: Python's own handler only sets a
// flag that Python code would check, so nothing did during an off-policy collect phase of
// train_freq = 1e12 steps. session::StopSignals sets the run's stop flag at once, as in the CLI;
// only on Python's main thread (the one its signal handlers belong to), only SIGINT (Python's
// SIGTERM stays the program's), and a second Ctrl-C stops the same way. Python's handler comes
// back after.
std::optional<session::StopSignals> sigint_during_training(std::atomic<bool>& stop) {
  const py::module_ threading = py::module_::import("threading");
  if (!threading.attr("current_thread")().is(threading.attr("main_thread")())) return {};
  return std::optional<session::StopSignals>(
      std::in_place, stop, session::StopSignalOptions{.sigterm = false, .second_kills = false});
}

py::dict train(const std::string& algorithm, const std::string& env_id, const py::dict& overrides,
               const py::dict& env_kwargs, const std::string& db, const std::string& name,
               const std::string& experiment, const std::vector<std::string>& tags,
               const std::string& checkpoint_dir, const std::string& command) {
  session::TrainRequest req;
  req.algorithm = algorithm;
  req.env_id = env_id;
  req.env_kwargs = to_kwargs(env_kwargs, "train");
  req.db = db;
  req.name = name;
  req.experiment = experiment;
  req.tags = tags;
  req.checkpoint_dir = checkpoint_dir;
  req.command = command;
  for (const auto& [k, v] : to_kwargs(overrides, "train")) req.settings.set(k, v, "rein.train");
  // Ctrl-C: Python's handler only sets a flag, which this thread checks after each iteration.
  std::atomic<bool> stop{false};
  std::optional<py::error_already_set> interrupt;
  req.stop = &stop;
  req.on_progress = [&](const rl::TrainProgress&) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      interrupt.emplace();  // takes the pending KeyboardInterrupt, raised once the run is closed
      stop = true;
    }
  };
  bool started = false;
  req.on_start = [&](const session::StartedRun&) { started = true; };
  session::TrainResult out;
  bool sigint = false;
  try {
    const std::optional<session::StopSignals> sigint_handler = sigint_during_training(stop);
    {
      py::gil_scoped_release release;
      out = session::train(req);
    }
    sigint = sigint_handler && sigint_handler->received();
  } catch (const rein::Error& e) {
    // Settings, env and algorithm are checked before the run is recorded: bad arguments.
    if (!started) raise_invalid(e.what());
    throw;
  }
  if (interrupt) throw *interrupt;
  if (sigint) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  py::dict d;
  d["run_id"] = out.run_id;
  d["run_name"] = out.run_name;
  d["global_step"] = out.train.global_step;
  d["wall_seconds"] = out.train.wall_seconds;
  d["interrupted"] = out.train.interrupted;
  d["checkpoint"] = out.train.last_checkpoint;
  d["final_eval"] =
      out.train.final_eval ? py::object(eval_dict(*out.train.final_eval)) : py::none();
  return d;
}

// A loaded policy: actions for NumPy observations.
class Policy {
 public:
  explicit Policy(const std::string& path)
      : policy_(invalid_on_error([&] { return rl::load_policy(path); })),
        env_(policy_.make_env()) {}

  py::array call(const py::handle& obs, bool deterministic) {
    const envs::Space& space = env_->observation_space();
    const Shape one = space.shape();
    py::array a = as_numeric_array(obs, "policy: observations");
    const bool single = a.ndim() == static_cast<py::ssize_t>(one.size());
    Shape batch{single ? 1 : (a.ndim() > 0 ? a.shape(0) : 1)};
    for (int64_t d : one) batch.push_back(d);
    if (a.ndim() != static_cast<py::ssize_t>(batch.size()) - (single ? 1 : 0)) {
      raise_invalid("policy: observations must have shape " + to_string(one) + " or (B, ...) " +
                    "for " + space.to_string());
    }
    for (int64_t d = 0; d < static_cast<int64_t>(one.size()); ++d) {
      if (a.shape(d + (single ? 0 : 1)) != one[static_cast<size_t>(d)]) {
        raise_invalid("policy: observations must have shape " + to_string(one) + " or (B, " +
                      "...) for " + space.to_string());
      }
    }
    Tensor x = empty(batch, space.dtype());
    if (space.dtype() == Dtype::Float32) {
      auto c = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
      std::copy(c.data(), c.data() + c.size(), x.data<float>());
    } else if (space.dtype() == Dtype::Int64) {
      auto c = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
      std::copy(c.data(), c.data() + c.size(), x.data<int64_t>());
    } else {
      auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
      std::copy(c.data(), c.data() + c.size(), x.data<double>());
    }
    Tensor actions;
    {
      py::gil_scoped_release release;
      actions = policy_.predict(x, deterministic);
    }
    py::array out = to_numpy_copy(actions);
    return single ? py::array(out[py::int_(0)]) : out;
  }

  const rl::Policy& get() const { return policy_; }

 private:
  rl::Policy policy_;
  std::unique_ptr<envs::Env> env_;
};

py::dict evaluate(const std::string& checkpoint, int64_t episodes, uint64_t seed,
                  bool deterministic, const std::string& env_id) {
  if (episodes < 1) raise_invalid("evaluate: episodes must be >= 1");
  rl::Policy policy = invalid_on_error([&] { return rl::load_policy(checkpoint); });
  rl::EvalOptions options;
  options.episodes = episodes;
  options.seed = seed;
  options.deterministic = deterministic;
  rl::EvalResult r;
  {
    py::gil_scoped_release release;
    r = rl::evaluate(policy.agent(), env_id.empty() ? policy.env_id() : env_id, policy.env_kwargs(),
                     options);
  }
  return eval_dict(r);
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("_train", &train, py::arg("algorithm"), py::arg("env_id"), py::arg("overrides"),
        py::arg("env_kwargs"), py::arg("db"), py::arg("name"), py::arg("experiment"),
        py::arg("tags"), py::arg("checkpoint_dir"), py::arg("command"));
  m.def("_evaluate", &evaluate, py::arg("checkpoint"), py::arg("episodes"), py::arg("seed"),
        py::arg("deterministic"), py::arg("env_id"));
  py::class_<Policy>(m, "_Policy")
      .def(py::init<const std::string&>())
      .def("__call__", &Policy::call, py::arg("obs"), py::arg("deterministic") = true)
      .def_property_readonly("algorithm", [](const Policy& p) { return p.get().algorithm(); })
      .def_property_readonly("env_id", [](const Policy& p) { return p.get().env_id(); })
      .def_property_readonly("global_step", [](const Policy& p) { return p.get().global_step(); })
      .def_property_readonly("checkpoint",
                             [](const Policy& p) { return p.get().checkpoint_path(); });
}

}  // namespace rein::python
