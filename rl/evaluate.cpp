// evaluate(): deterministic-policy evaluation over a small vector of envs. Env i runs
// (episodes + i) / n of the episodes, as SB3's evaluate_policy, so that short episodes do not
// crowd out long ones in the average.
#include "rl/evaluate.h"

#include <algorithm>
#include <cmath>

#include "envs/registry.h"
#include "envs/toy_text/frozen_lake.h"
#include "envs/vector_env.h"

namespace rein::rl {

std::optional<bool> episode_succeeded(const envs::Env& env, const envs::Info& final_info,
                                      const Tensor& final_obs, bool terminated) {
  if (const envs::Info::Entry* e = final_info.find("is_success"); e && !e->tensor.defined())
    return e->number != 0.0;
  if (const auto* lake = dynamic_cast<const envs::FrozenLake*>(&env.unwrapped())) {
    const int64_t s = final_obs.item<int64_t>();
    return terminated && lake->desc()[static_cast<size_t>(s / lake->ncol())]
                                     [static_cast<size_t>(s % lake->ncol())] == 'G';
  }
  return std::nullopt;
}

EvalResult evaluate(Agent& agent, const std::string& env_id, const envs::Kwargs& env_kwargs,
                    const EvalOptions& options) {
  if (options.episodes < 1)
    throw Error(str("evaluate: episodes must be >= 1, got ", options.episodes));
  if (options.default_max_episode_steps < 0) {
    throw Error(str("evaluate: default_max_episode_steps must be >= 0 (0: no cap), got ",
                    options.default_max_episode_steps));
  }
  const int64_t n = std::max<int64_t>(1, std::min(options.episodes, options.max_parallel));
  envs::VectorOptions vo;
  vo.kwargs = env_kwargs;
  // An env with no time limit (none registered, none given as max_episode_steps) gets one for
  // evaluation only: make() adds a TimeLimit for an explicit max_episode_steps, as
  // gymnasium.make does. Episodes shorter than the cap see the same envs, seeds and steps, so
  // their results do not change. spec() reads the registry without building an env.
  int64_t cap = 0;
  if (options.default_max_episode_steps > 0 && !env_kwargs.contains("max_episode_steps") &&
      !envs::registry().spec(env_id).max_episode_steps) {
    cap = options.default_max_episode_steps;
    vo.kwargs["max_episode_steps"] = std::to_string(cap);
  }
  auto venv = envs::make_vec(env_id, n, vo);
  std::vector<int64_t> target(static_cast<size_t>(n)), count(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) target[i] = (options.episodes + i) / n;
  std::vector<double> ret(static_cast<size_t>(n), 0.0);
  std::vector<int64_t> len(static_cast<size_t>(n), 0);

  EvalResult result;
  int64_t successes = 0, judged = 0;
  const envs::VectorStep* s = &venv->reset(options.seed);
  while (static_cast<int64_t>(result.returns.size()) < options.episodes) {
    Tensor actions = agent.predict(s->obs, options.deterministic);
    s = &venv->step(actions);
    const float* r = s->rewards.data<float>();
    const bool* done = s->done.data<bool>();
    for (int64_t i = 0; i < n; ++i) {
      if (count[i] >= target[i]) continue;
      ret[i] += r[i];
      len[i] += 1;
      if (done[i]) {
        const bool terminated = s->terminated.data<bool>()[i];
        if (len[i] == cap && !terminated) ++result.cut_episodes;
        const std::optional<bool> ok = episode_succeeded(venv->env(i), venv->final_info(i),
                                                         s->final_obs.select(0, i), terminated);
        if (ok) {
          ++judged;
          successes += *ok ? 1 : 0;
        }
        result.returns.push_back(ret[i]);
        result.lengths.push_back(len[i]);
        ret[i] = 0.0;
        len[i] = 0;
        ++count[i];
      }
    }
  }
  double sum = 0.0;
  for (double x : result.returns) sum += x;
  result.mean_return = sum / static_cast<double>(result.returns.size());
  double sq = 0.0;
  for (double x : result.returns) sq += (x - result.mean_return) * (x - result.mean_return);
  result.std_return = std::sqrt(sq / static_cast<double>(result.returns.size()));
  if (judged > 0)
    result.success_rate = static_cast<double>(successes) / static_cast<double>(judged);
  if (result.cut_episodes > 0) {
    result.warning = str("evaluate: ", result.cut_episodes, " of ", result.returns.size(),
                         " episodes on ", env_id, " did not end within ", cap,
                         " steps and were cut (counted as truncated; their partial returns are "
                         "in the mean): the env has no time limit and the policy may loop. Set "
                         "one with --env-arg max_episode_steps=N");
  }
  return result;
}

}  // namespace rein::rl
