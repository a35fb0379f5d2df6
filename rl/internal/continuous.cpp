// Critics, action scaling and the actor/critic net_arch of the continuous off-policy agents.
#include "rl/internal/continuous.h"

#include <algorithm>
#include <cmath>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "base/error.h"
#include "rl/algorithm.h"
#include "rl/blocks/actor_critic.h"

namespace rein::rl::internal {

namespace {

void check_finite(const Var& loss, const std::string& algo, const char* loss_name, int64_t step,
                  int64_t update) {
  const double l = loss.item();
  if (!std::isfinite(l))
    throw NonFiniteError(
        loss_name, step,
        str(algo, ": ", loss_name, " is ", l, " at step ", step, " (update ", update, ")"));
}

// Calls f(k) for k in [0, n): the first half of the range here, the second on `worker`.
void split_range(Worker* worker, size_t n, const std::function<void(size_t)>& f) {
  const size_t half = (n + 1) / 2;
  run_pair(
      worker,
      [&] {
        for (size_t k = half; k < n; ++k) f(k);
      },
      [&] {
        for (size_t k = 0; k < half; ++k) f(k);
      });
}

}  // namespace

void step_optimizer(optim::Adam& opt, const Var& loss, const std::string& algo,
                    const char* loss_name, int64_t step, int64_t update) {
  check_finite(loss, algo, loss_name, step, update);
  opt.zero_grad();
  loss.backward();
  opt.step();
}

void step_optimizer(optim::Adam& opt, const CriticLoss& loss, Worker* worker,
                    const std::string& algo, const char* loss_name, int64_t step, int64_t update) {
  check_finite(loss.total, algo, loss_name, step, update);
  opt.zero_grad();
  split_range(worker, loss.terms.size(), [&](size_t k) {
    const Var& term = loss.terms[k];
    term.backward(full(term.value().shape(), loss.weight, term.value().dtype()));
  });
  opt.step(worker);
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
  std::vector<Var> out(q_.size());
  const bool grad = is_grad_enabled();  // the worker records a graph when this thread does
  split_range(worker_, q_.size(), [&](size_t k) {
    GradModeGuard mode(grad);
    out[k] = q_[k]->forward(x);
  });
  return out;
}

CriticLoss Critics::loss(const Var& obs, const Var& actions, const Tensor& target, float weight) {
  CriticLoss out;
  out.weight = weight;
  const Var y(target);
  for (const Var& q : values(obs, actions)) out.terms.push_back(nn::mse_loss(q, y));
  // The value as the graph of the sum would compute it; its backward goes through the terms.
  NoGradGuard no_grad;
  out.total = out.terms[0];
  for (size_t k = 1; k < out.terms.size(); ++k) out.total = out.total + out.terms[k];
  if (weight != 1.0f) out.total = static_cast<double>(weight) * out.total;
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

MemoryUse actor_critics_memory(int64_t obs_dim, int64_t action_dim, const ActorCriticArch& arch,
                               int64_t n_critics) {
  const double parameters =
      mlp_parameters(obs_dim, arch.pi, 2 * action_dim) +
      static_cast<double>(n_critics) * mlp_parameters(obs_dim + action_dim, arch.qf, 1);
  return {str("an actor and ", n_critics, " critic(s) of ", static_cast<int64_t>(parameters),
              " parameters held five times (value, gradient, Adam's two moments, target)"),
          5.0 * sizeof(float) * parameters,
          "net_arch's widths (SB3's defaults are 256,256 for SAC and 400,300 for TD3)"};
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
    if ((key == "pi" && has_pi) || ((key == "qf" || key == "vf") && has_qf))
      throw Error(str(algo, ": net_arch '", text, "' gives ", key == "pi" ? "pi" : "qf",
                      " twice (vf is another name for qf); give pi=[...] and qf=[...] once each"));
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
