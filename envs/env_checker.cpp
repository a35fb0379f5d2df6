// check_env: each check is isolated, so one failure does not hide the others.
#include "envs/env_checker.h"

#include <cmath>
#include <functional>
#include <sstream>

#include "envs/internal/values.h"

namespace rein::envs {
namespace {

struct Transition {
  std::vector<double> obs;
  double reward = 0;
  bool terminated = false, truncated = false;
};

// Runs `f`, turning any exception into a problem that names the check.
void guarded(CheckReport& report, const char* what, const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    report.problems.push_back(str(what, ": threw: ", e.what()));
  } catch (...) {
    report.problems.push_back(str(what, ": threw a non-standard exception"));
  }
}

void check_space(CheckReport& report, const Space& space, const char* which) {
  if (space.is_discrete() && space.discrete().n <= 0) {
    report.problems.push_back(str(which, " space ", space.to_string(), " is empty"));
  }
  if (space.is_box() && space.box().low.size() != static_cast<size_t>(space.flat_dim())) {
    report.problems.push_back(str(which, " space has ", space.box().low.size(), " bounds for ",
                                  space.flat_dim(), " elements"));
  }
}

void check_obs(CheckReport& report, const Space& space, const Tensor& obs,
               const std::string& when) {
  const std::string why = space.why_not_contains(obs);
  if (!why.empty()) {
    report.problems.push_back(str("observation from ", when, " is not in the observation space ",
                                  space.to_string(), ": ", why));
  }
}

// A deterministic action sequence drawn from the action space with its own generator.
std::vector<Tensor> action_sequence(const Space& space, uint64_t seed, int64_t n) {
  Generator gen(seed);
  std::vector<Tensor> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(space.sample(gen).contiguous());
  return out;
}

Action to_action(const Tensor& t) { return Action::from_tensor(t); }

std::vector<Transition> run_episode(Env& env, uint64_t seed, const std::vector<Tensor>& actions,
                                    std::vector<double>& reset_obs) {
  reset_obs = env.reset(seed).obs.tolist();
  std::vector<Transition> out;
  for (const Tensor& a : actions) {
    StepResult r = env.step(to_action(a));
    out.push_back({r.obs.tolist(), r.reward, r.terminated, r.truncated});
    if (r.terminated || r.truncated) break;
  }
  return out;
}

}  // namespace

CheckReport check_env(Env& env, const CheckOptions& options) {
  CheckReport report;
  const Space obs_space = env.observation_space();
  const Space act_space = env.action_space();
  check_space(report, obs_space, "observation");
  check_space(report, act_space, "action");
  if (!report.ok()) return report;

  // Observations in the space, finite rewards, episodes that end.
  guarded(report, "reset/step", [&] {
    check_obs(report, obs_space, env.reset(options.seed).obs, "reset(seed)");
    Generator gen(options.seed + 1);
    int64_t bad_obs = 0, bad_rewards = 0;
    for (int64_t t = 0; t < options.num_steps; ++t) {
      Tensor a = act_space.sample(gen);
      StepResult r = env.step(to_action(a));
      ++report.steps_taken;
      if (bad_obs < 3 && !obs_space.contains(r.obs)) {
        ++bad_obs;
        check_obs(report, obs_space, r.obs, str("step ", t));
      }
      if (bad_rewards < 3 && !std::isfinite(r.reward)) {
        ++bad_rewards;
        report.problems.push_back(str("step ", t, " returned a non-finite reward ", r.reward));
      }
      if (r.terminated || r.truncated) {
        ++report.episodes_finished;
        check_obs(report, obs_space, env.reset().obs, "reset() after an episode end");
      }
    }
  });

  // Determinism under a seed.
  guarded(report, "determinism", [&] {
    const auto actions = action_sequence(act_space, options.seed + 2, 200);
    std::vector<double> first_reset, second_reset;
    const auto a = run_episode(env, options.seed, actions, first_reset);
    const auto b = run_episode(env, options.seed, actions, second_reset);
    if (first_reset != second_reset) {
      report.problems.push_back(
          str("reset(seed=", options.seed, ") twice gave different observations"));
    }
    const size_t n = std::min(a.size(), b.size());
    for (size_t t = 0; t < n; ++t) {
      if (a[t].obs != b[t].obs || a[t].reward != b[t].reward ||
          a[t].terminated != b[t].terminated || a[t].truncated != b[t].truncated) {
        report.problems.push_back(str("the same seed and actions diverged at step ", t,
                                      " (the env is not deterministic under a seed)"));
        break;
      }
    }
    if (a.size() != b.size()) {
      report.problems.push_back(str("the same seed and actions gave episodes of ", a.size(),
                                    " and ", b.size(), " steps"));
    }
    std::vector<double> other_reset;
    run_episode(env, options.seed + 1000, {}, other_reset);
    if (other_reset == first_reset && !obs_space.is_discrete()) {
      report.warnings.push_back("reset with two different seeds gave the same observation");
    }
  });

  // state()/set_state() round trip, where supported.
  guarded(report, "state", [&] {
    env.reset(options.seed);
    std::vector<double> s;
    try {
      s = env.state();
    } catch (const Error&) {
      return;  // not supported: allowed
    }
    env.set_state(s);
    if (env.state() != s) report.problems.push_back("set_state(state()) changed the state");
  });

  const RenderInfo ri = env.render_info();
  if (ri.draws) {
    guarded(report, "render", [&] {
      DrawList frame;
      env.render(frame);
      if (frame.shapes().empty()) report.warnings.push_back("render() drew nothing");
    });
  }
  if (ri.text) guarded(report, "render_text", [&] { (void)env.render_text(); });
  return report;
}

std::string CheckReport::to_string() const {
  std::ostringstream os;
  for (const auto& p : problems) os << "problem: " << p << "\n";
  for (const auto& w : warnings) os << "warning: " << w << "\n";
  os << (ok() ? "ok" : "FAILED") << ": " << problems.size() << " problem(s), " << warnings.size()
     << " warning(s), " << steps_taken << " steps, " << episodes_finished << " episodes";
  return os.str();
}

}  // namespace rein::envs
