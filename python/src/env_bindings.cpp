// The environment half of the module: one env (make) and vector envs (make_vec) with Gymnasium's
// call shapes, the registry, plug-ins and the spaces' descriptions. The Python classes in
// rein/envs.py wrap these with spaces, spec and Gymnasium's base class.
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <string>

#include "convert.h"
#include "envs/plugin.h"
#include "envs/registry.h"
#include "envs/remote/remote_env.h"
#include "envs/vector_env.h"

namespace rein::python {
namespace {

// The space as a dict the Python side turns into a space object.
py::dict describe(const envs::Space& space) {
  py::dict d;
  switch (space.kind()) {
    case envs::SpaceKind::Discrete:
      d["kind"] = "Discrete";
      d["n"] = space.discrete().n;
      d["start"] = space.discrete().start;
      break;
    case envs::SpaceKind::Box: {
      const envs::Box& b = space.box();
      d["kind"] = "Box";
      std::vector<py::ssize_t> shape(b.shape.begin(), b.shape.end());
      d["low"] = py::array_t<double>(shape, b.low.data());
      d["high"] = py::array_t<double>(shape, b.high.data());
      d["shape"] = py::tuple(py::cast(shape));
      d["dtype"] = dtype_name(b.dtype);
      break;
    }
    case envs::SpaceKind::MultiDiscrete:
      d["kind"] = "MultiDiscrete";
      d["nvec"] = py::array_t<int64_t>(static_cast<py::ssize_t>(space.multi_discrete().nvec.size()),
                                       space.multi_discrete().nvec.data());
      break;
  }
  return d;
}

py::dict describe(const envs::EnvSpec& spec) {
  py::dict d;
  d["id"] = spec.id;
  d["max_episode_steps"] = spec.max_episode_steps ? py::cast(*spec.max_episode_steps) : py::none();
  d["reward_threshold"] = spec.reward_threshold ? py::cast(*spec.reward_threshold) : py::none();
  d["kwargs"] =
      py::cast(std::map<std::string, std::string>(spec.kwargs.begin(), spec.kwargs.end()));
  d["nondeterministic"] = spec.nondeterministic;
  d["description"] = spec.description;
  return d;
}

// One env's observation: a Python int for a Discrete space (as Gymnasium's toy-text envs return),
// else a new array (the env reuses its buffer, so a view would change under the caller).
py::object observation(const Tensor& obs) {
  if (obs.dim() == 0 && obs.dtype() == Dtype::Int64) return py::int_(obs.data<int64_t>()[0]);
  return to_numpy_copy(obs);
}

// Remote envs block on the network: their calls release the GIL so other Python threads run.
bool is_remote(std::string_view id) { return envs::remote::is_remote_id(id); }

envs::Kwargs options_of(const py::object& options, std::string_view owner) {
  if (options.is_none()) return {};
  if (!py::isinstance<py::dict>(options)) {
    raise_invalid(std::string(owner) + ": options must be a dict or None");
  }
  return to_kwargs(options.cast<py::dict>(), owner);
}

// One env: make()'s wrapped env. Each call checks the env is still open.
class Env {
 public:
  Env(std::unique_ptr<envs::Env> env, bool remote) : env_(std::move(env)), remote_(remote) {}

  py::tuple reset(const py::object& seed, const py::object& options) {
    envs::Env& e = get();
    const auto s = to_seed(seed, e.name() + ".reset");
    const envs::Kwargs opts = options_of(options, e.name() + ".reset");
    auto run = [&] { return e.reset(s, opts); };
    // A local env refuses only its options here: rein.InvalidArgument, as make() for its kwargs.
    // A remote one also fails on the connection, so it keeps rein.Error.
    const envs::ResetResult r = remote_ ? without_gil(run) : invalid_on_error(run);
    return py::make_tuple(observation(r.obs), to_dict(r.info));
  }

  py::tuple step(const py::handle& action) {
    envs::Env& e = get();
    const ActionHolder held(action, e.action_space(), e.name() + ".step");
    auto run = [&] { return e.step(held.action()); };
    const envs::StepResult r = remote_ ? without_gil(run) : run();
    return py::make_tuple(observation(r.obs), r.reward, r.terminated, r.truncated, to_dict(r.info));
  }

  py::object render_text() const {
    const envs::Env& e = get();
    return e.render_info().text ? py::object(py::str(e.render_text())) : py::object(py::none());
  }
  // The frame as an (H, W, 3) uint8 array (render_mode="rgb_array"); a copy, since the image
  // is drawn into a fresh buffer on every call anyway.
  py::array render_rgb() const {
    const envs::RgbImage img = get().render_rgb();
    py::array_t<uint8_t> out({img.height, img.width, 3});
    std::copy(img.pixels.begin(), img.pixels.end(), out.mutable_data());
    return out;
  }
  py::tuple render_info() const {
    const envs::RenderInfo r = get().render_info();
    return py::make_tuple(r.draws, r.text, r.fps);
  }
  py::dict observation_space() const { return describe(get().observation_space()); }
  py::dict action_space() const { return describe(get().action_space()); }
  py::object spec() const {
    const auto& s = get().spec();
    return s ? py::object(describe(*s)) : py::object(py::none());
  }
  std::vector<double> state() const { return get().unwrapped().state(); }
  void set_state(const std::vector<double>& state) {
    envs::Env& e = get().unwrapped();
    invalid_on_error([&] { e.set_state(state); });
  }
  void close() { env_.reset(); }
  bool closed() const { return !env_; }

 private:
  template <typename F>
  static auto without_gil(F&& f) -> decltype(f()) {
    py::gil_scoped_release release;
    return f();
  }
  envs::Env& get() const {
    if (!env_) throw Error("Env: the env is closed");
    return *env_;
  }

  std::unique_ptr<envs::Env> env_;
  bool remote_;
};

// Vector env with Gymnasium's return shapes; `copy` chooses fresh arrays (Gymnasium's default)
// or read-only views of the env's buffers, valid until the next step.
class VectorEnv {
 public:
  VectorEnv(std::unique_ptr<envs::VectorEnv> venv, bool copy, bool release_gil, bool remote)
      : venv_(std::move(venv)), copy_(copy), release_gil_(release_gil), remote_(remote) {
    const envs::Space& as = venv_->single_action_space();
    Shape shape{venv_->num_envs()};
    for (int64_t d : as.shape()) shape.push_back(d);
    actions_ = zeros(shape, as.is_box() ? Dtype::Float32 : Dtype::Int64);
  }

  py::tuple reset(const py::object& seed, const py::object& options) {
    envs::VectorEnv& v = get();
    const auto s = to_seed(seed, "VectorEnv.reset");
    const envs::Kwargs opts = options_of(options, "VectorEnv.reset");
    auto run = [&] {
      if (!release_gil_) return &v.reset(s, opts);
      py::gil_scoped_release release;  // taken back before an error is raised
      return &v.reset(s, opts);
    };
    // As Env.reset: local envs refuse only their options (rein.InvalidArgument).
    const envs::VectorStep* r = remote_ ? run() : invalid_on_error(run);
    return py::make_tuple(array(r->obs), infos());
  }

  py::tuple step(const py::handle& actions) {
    envs::VectorEnv& v = get();
    batch_actions(actions, v.single_action_space(), v.num_envs(), actions_);
    const envs::VectorStep* r = nullptr;
    if (release_gil_) {
      py::gil_scoped_release release;
      r = &v.step(actions_);
    } else {
      r = &v.step(actions_);
    }
    // Rewards are float64 as in Gymnasium's vector envs (rein keeps float32): always a copy.
    py::array_t<double> rewards(v.num_envs());
    const float* src = r->rewards.data<float>();
    double* dst = rewards.mutable_data();
    for (int64_t i = 0; i < v.num_envs(); ++i) dst[i] = src[i];
    return py::make_tuple(array(r->obs), rewards, array(r->terminated), array(r->truncated),
                          infos());
  }

  // Same-step mode: the final observations of the episodes that ended in the last step (rows
  // whose done flag is false hold stale data).
  py::array final_obs() { return to_numpy_copy(get().buffers().final_obs); }
  py::dict final_info(int64_t i) { return to_dict(get().final_info(i)); }

  int64_t num_envs() { return get().num_envs(); }
  py::dict observation_space() { return describe(get().single_observation_space()); }
  py::dict action_space() { return describe(get().single_action_space()); }
  py::object spec() {
    const auto& s = get().env(0).spec();
    return s ? py::object(describe(*s)) : py::object(py::none());
  }
  void close() { venv_.reset(); }
  bool closed() const { return !venv_; }

 private:
  py::array array(const Tensor& t) const { return copy_ ? to_numpy_copy(t) : to_numpy_view(t); }

  // Gymnasium's vector info: for each key an array over envs and a boolean mask "_key" of the
  // envs that set it. Empty (and cheap) when no env reports anything, the common case.
  py::dict infos() {
    envs::VectorEnv& v = get();
    py::dict out;
    const int64_t n = v.num_envs();
    for (int64_t i = 0; i < n; ++i) {
      for (const auto& e : v.info(i).entries()) {
        const py::str key(e.key);
        if (!out.contains(key)) {
          py::array values;
          if (e.tensor.defined()) {
            std::vector<py::ssize_t> shape{n};
            for (int64_t d : e.tensor.shape()) shape.push_back(d);
            values = py::array(numpy_dtype(e.tensor.dtype()), shape);
            values.attr("fill")(0);
          } else {
            values = py::array_t<double>(n);
            values.attr("fill")(0.0);
          }
          out[key] = values;
          py::array_t<bool> mask(n);
          std::fill(mask.mutable_data(), mask.mutable_data() + n, false);
          out[py::str("_" + e.key)] = mask;
        }
        auto values = out[key].cast<py::array>();
        if (e.tensor.defined()) {
          values[py::int_(i)] = to_numpy_copy(e.tensor);
        } else {
          values[py::int_(i)] = e.number;
        }
        auto mask = out[py::str("_" + e.key)].cast<py::array_t<bool>>();
        mask.mutable_data()[i] = true;
      }
    }
    return out;
  }

  envs::VectorEnv& get() const {
    if (!venv_) throw Error("VectorEnv: the vector env is closed");
    return *venv_;
  }

  std::unique_ptr<envs::VectorEnv> venv_;
  Tensor actions_;
  bool copy_;
  bool release_gil_;
  bool remote_;
};

Env make(const std::string& id, const py::dict& kwargs) {
  const envs::Kwargs kw = to_kwargs(kwargs, "make");
  if (is_remote(id)) {  // a connection failure is not a bad argument: rein.Error
    py::gil_scoped_release release;
    return Env(envs::make(id, kw), true);
  }
  return Env(invalid_on_error([&] { return envs::make(id, kw); }), false);
}

VectorEnv make_vec(const std::string& id, int64_t num_envs, const std::string& mode,
                   int num_threads, const std::string& autoreset, bool copy,
                   const py::dict& kwargs) {
  envs::VectorOptions options;
  if (mode == "sync") {
    options.mode = envs::VectorMode::Sync;
  } else if (mode == "threaded") {
    options.mode = envs::VectorMode::Threaded;
    options.num_threads = num_threads;
  } else {
    raise_invalid("make_vec: vectorization_mode must be 'sync' or 'threaded', got '" + mode + "'");
  }
  if (num_threads < 0) raise_invalid("make_vec: num_threads must be >= 0");
  if (autoreset == "next_step") {
    options.autoreset = envs::AutoresetMode::NextStep;
  } else if (autoreset == "same_step") {
    options.autoreset = envs::AutoresetMode::SameStep;
  } else {
    raise_invalid("make_vec: autoreset_mode must be 'next_step' or 'same_step', got '" + autoreset +
                  "'");
  }
  options.kwargs = to_kwargs(kwargs, "make_vec");
  const bool remote = is_remote(id);
  if (remote) {
    py::gil_scoped_release release;
    return VectorEnv(envs::make_vec(id, num_envs, options), copy, true, true);
  }
  return VectorEnv(invalid_on_error([&] { return envs::make_vec(id, num_envs, options); }), copy,
                   options.mode == envs::VectorMode::Threaded, false);
}

}  // namespace

void bind_envs(py::module_& m) {
  envs::remote::register_scheme();

  py::class_<Env>(m, "_Env")
      .def("reset", &Env::reset, py::arg("seed") = py::none(), py::arg("options") = py::none())
      .def("step", &Env::step, py::arg("action"))
      .def("render_text", &Env::render_text)
      .def("render_rgb", &Env::render_rgb)
      .def("render_info", &Env::render_info)
      .def("observation_space", &Env::observation_space)
      .def("action_space", &Env::action_space)
      .def("spec", &Env::spec)
      .def("state", &Env::state)
      .def("set_state", &Env::set_state)
      .def("close", &Env::close)
      .def_property_readonly("closed", &Env::closed);

  py::class_<VectorEnv>(m, "_VectorEnv")
      .def("reset", &VectorEnv::reset, py::arg("seed") = py::none(),
           py::arg("options") = py::none())
      .def("step", &VectorEnv::step, py::arg("actions"))
      .def("final_obs", &VectorEnv::final_obs)
      .def("final_info", &VectorEnv::final_info)
      .def("num_envs", &VectorEnv::num_envs)
      .def("observation_space", &VectorEnv::observation_space)
      .def("action_space", &VectorEnv::action_space)
      .def("spec", &VectorEnv::spec)
      .def("close", &VectorEnv::close)
      .def_property_readonly("closed", &VectorEnv::closed);

  m.def("_make", &make, py::arg("id"), py::arg("kwargs"));
  m.def("_make_vec", &make_vec, py::arg("id"), py::arg("num_envs"), py::arg("mode"),
        py::arg("num_threads"), py::arg("autoreset"), py::arg("copy"), py::arg("kwargs"));
  m.def(
      "_load_plugin", [](const std::string& path) { return envs::load_plugin(path); },
      py::arg("path"));
  m.def("_env_specs", [] {
    py::list out;
    for (const auto& s : envs::list_envs()) out.append(describe(s));
    return out;
  });
}

}  // namespace rein::python
