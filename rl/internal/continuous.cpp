// Critics, action scaling and the actor/critic net_arch of the continuous off-policy agents.
#include "rl/internal/continuous.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "base/error.h"
#include "rl/algorithm.h"
#include "rl/blocks/actor_critic.h"

namespace rein::rl::internal {

void step_optimizer(optim::Adam& opt, const Var& loss, const std::string& algo,
                    const char* loss_name, int64_t step, int64_t update) {
  const double l = loss.item();
  if (!std::isfinite(l))
    throw NonFiniteError(
        loss_name, step,
        str(algo, ": ", loss_name, " is ", l, " at step ", step, " (update ", update, ")"));
  opt.zero_grad();
  loss.backward();
  opt.step();
}

Critics::Critics(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden,
                 nn::Activation activation, int64_t n, Generator& gen) {
  std::vector<int64_t> sizes{obs_dim + action_dim};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(1);
  for (int64_t k = 0; k < n; ++k)
    q_.push_back(register_module(str("qf", k), std::make_shared<nn::MLP>(sizes, activation, gen)));
}

std::vector<Var> Critics::values(const Var& obs, const Var& actions) {
  const Var x = cat({obs, actions}, 1);
  std::vector<Var> out;
  for (auto& q : q_) out.push_back(q->forward(x));
  return out;
}

Var Critics::first(const Var& obs, const Var& actions) {
  return q_[0]->forward(cat({obs, actions}, 1));
}

Var Critics::forward(const Var& x) { return q_[0]->forward(x); }

FrozenParameters::FrozenParameters(std::vector<Var> params) : params_(std::move(params)) {
  for (Var& p : params_) p.requires_grad_(false);
}

FrozenParameters::~FrozenParameters() {
  for (Var& p : params_) p.requires_grad_(true);
}

ActionScale::ActionScale(const std::string& algo, const envs::Space& space,
                         const std::string& env_id) {
  if (space.kind() != envs::SpaceKind::Box)
    throw Error(str(algo, ": ", env_id, " has action space ", space.to_string(), "; ", algo,
                    " needs Box (continuous) actions: use dqn or ppo for Discrete actions"));
  const envs::Box& box = space.box();
  for (size_t i = 0; i < box.low.size(); ++i) {
    if (!std::isfinite(box.low[i]) || !std::isfinite(box.high[i]))
      throw Error(str(algo, ": ", env_id, " has action space ", space.to_string(),
                      " with an infinite bound; ", algo,
                      " acts in the Box's bounds, so wrap the env to give it finite ones"));
    low_.push_back(static_cast<float>(box.low[i]));
    high_.push_back(static_cast<float>(box.high[i]));
  }
}

Tensor ActionScale::to_env(const Tensor& scaled) const {
  const int64_t rows = scaled.size(0), A = dim();
  Tensor out = empty({rows, A});
  const Tensor src = scaled.contiguous();
  const float* s = src.data<float>();
  float* o = out.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < A; ++j) {
      const auto k = static_cast<size_t>(j);
      // SB3 unscale_action: low + 0.5 (a + 1) (high - low).
      const float v = low_[k] + 0.5f * (s[r * A + j] + 1.0f) * (high_[k] - low_[k]);
      o[r * A + j] = std::clamp(v, low_[k], high_[k]);
    }
  return out;
}

ActorCriticArch parse_actor_critic_arch(const std::string& algo, const std::string& text) {
  if (text.find('=') == std::string::npos) {
    auto sizes = parse_net_arch(text);
    return {sizes, sizes};
  }
  // dict(pi=[64, 64], qf=[400, 300]): split on "key=[...]".
  ActorCriticArch arch;
  bool has_pi = false, has_qf = false;
  size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" ,\t", pos);
    if (pos == std::string::npos) break;
    const size_t eq = text.find('=', pos);
    const size_t open = eq == std::string::npos ? eq : text.find('[', eq);
    const size_t close = open == std::string::npos ? open : text.find(']', open);
    if (close == std::string::npos)
      throw Error(str(algo, ": net_arch '", text,
                      "' is not a list of sizes (\"256,256\") nor pi=[...], qf=[...]"));
    std::string key = text.substr(pos, eq - pos);
    key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
    std::string inner = text.substr(open + 1, close - open - 1);
    inner.erase(std::remove(inner.begin(), inner.end(), ' '), inner.end());
    const auto sizes = parse_net_arch(inner);
    if (key == "pi") {
      arch.pi = sizes;
      has_pi = true;
    } else if (key == "qf" || key == "vf") {
      arch.qf = sizes;
      has_qf = true;
    } else {
      throw Error(str(algo, ": net_arch key '", key, "' in '", text, "' (expected pi and qf)"));
    }
    pos = close + 1;
  }
  if (!has_pi || !has_qf)
    throw Error(str(algo, ": net_arch '", text, "' needs both pi=[...] and qf=[...]"));
  return arch;
}

}  // namespace rein::rl::internal
