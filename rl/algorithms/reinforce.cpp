// REINFORCE: sample n_envs complete episodes, reward-to-go, one Adam step on the policy-gradient
// and baseline losses (rl/algorithms/reinforce.h cites the sources).
#include "rl/algorithms/reinforce.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "envs/registry.h"
#include "rl/blocks/actor_critic.h"
#include "rl/blocks/rollout_buffer.h"
#include "rl/internal/algorithm_entry.h"
#include "rl/internal/on_policy.h"
#include "rl/metric_names.h"

namespace rein::rl {

std::vector<Field> ReinforceConfig::fields() {
  return {
      {"learning_rate", &learning_rate, "Adam step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"gamma", &gamma, "discount factor of the reward-to-go"},
      {"baseline", &baseline, "subtract a learned value baseline"},
      {"normalize_returns", &normalize_returns, "standardise the policy weights per batch"},
      {"bootstrap_truncated", &bootstrap_truncated, "bootstrap time-limit truncations from V"},
      {"ent_coef", &ent_coef, "entropy bonus weight"},
      {"vf_coef", &vf_coef, "value loss weight"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip (0: off)"},
      {"net_arch", &net_arch, "hidden sizes of policy and baseline, e.g. 64,64"},
      {"activation", &activation, "tanh, relu, elu or gelu"},
      {"ortho_init", &ortho_init, "orthogonal initialisation"},
      {"log_std_init", &log_std_init, "initial log std (Box actions)"},
      {"adam_eps", &adam_eps, "Adam epsilon"},
  };
}

void ReinforceConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("reinforce: ", key, " ", why));
  };
  need(learning_rate > 0, "learning_rate", str("must be > 0, got ", learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(vf_coef >= 0, "vf_coef", str("must be >= 0, got ", vf_coef));
  need(max_grad_norm >= 0, "max_grad_norm", str("must be >= 0, got ", max_grad_norm));
  need(adam_eps > 0, "adam_eps", str("must be > 0, got ", adam_eps));
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
}

void reward_to_go(std::span<const float> rewards, double gamma, double bootstrap,
                  std::span<float> out) {
  if (out.size() != rewards.size())
    throw Error(str("reward_to_go: out has ", out.size(), " elements, rewards ", rewards.size()));
  double g = bootstrap;
  for (size_t t = rewards.size(); t-- > 0;) {
    g = rewards[t] + gamma * g;
    out[t] = static_cast<float>(g);
  }
}

namespace {

using internal::all_finite;

// The policy and baseline: separate trunks, no gSDE.
ActorCriticSpec reinforce_net(const ReinforceConfig& c) {
  return internal::net_spec(c.net_arch, c.activation, false, c.ortho_init, c.log_std_init);
}

class ReinforceAgent final : public Agent {
 public:
  ReinforceAgent(const AgentSetup& setup, const ReinforceConfig& config);

  void iterate(MetricSink& sink) override;
  int64_t global_step() const override { return global_step_; }
  Tensor predict(const Tensor& obs, bool deterministic) override {
    return policy_.predict(obs, deterministic);
  }
  std::vector<Param> params() override { return to_params(cfg_.fields()); }
  void state(StateIO& io) override;
  std::string state_name() const override { return "reinforce checkpoint"; }

 private:
  // One episode of one env, as collected (observations already normalised).
  struct Episode {
    std::vector<float> obs;         // (T, D)
    std::vector<float> actions;     // (T, A) for Box
    std::vector<int64_t> discrete;  // (T) for Discrete
    std::vector<float> rewards;     // (T)
    bool truncated = false;
    std::vector<float> final_obs;  // (D) normalised, when truncated
  };
  void collect_episodes(MetricSink& sink);
  void update(MetricSink& sink);
  // Encodes (and, when training, feeds the normaliser) one env observation into `out` (D floats).
  void encode_obs(const Tensor& obs, bool update_stats, float* out);

  AgentSetup setup_;
  ReinforceConfig cfg_;
  std::vector<std::unique_ptr<envs::Env>> envs_;
  internal::ActorCriticPolicy policy_;
  int64_t N_, D_, A_;
  bool discrete_;
  ActorCritic* model_;  // policy_.model
  std::unique_ptr<optim::Adam> opt_;
  // Next reset seed of the envs: set for the first reset (seed + i) and after a checkpoint load;
  // otherwise each env's stream continues (Gymnasium: reset() without a seed).
  std::optional<uint64_t> reset_seed_;
  std::vector<Episode> episodes_;
  std::vector<float> raw_;
  int64_t global_step_ = 0;
  int64_t iteration_ = 0;
};

ReinforceAgent::ReinforceAgent(const AgentSetup& setup, const ReinforceConfig& config)
    : setup_(setup),
      cfg_(config),
      envs_([&] {
        std::vector<std::unique_ptr<envs::Env>> out;
        for (int64_t i = 0; i < setup.run.n_envs; ++i)
          out.push_back(envs::make(setup.env_id, setup.env_kwargs));
        if (setup.run.normalize_reward)
          throw Error(
              "reinforce: normalize_reward is not supported (the returns are Monte-Carlo "
              "sums of raw rewards; use normalize_returns to standardise the policy "
              "weights)");
        const envs::Space& as = out.front()->action_space();
        if (!as.is_box() && !as.is_discrete())
          throw Error(str("reinforce: unsupported action space ", as.to_string()));
        // Episodes grow as they are played; the networks are the allocation a setting sizes.
        internal::check_policy_memory("reinforce", out.front()->observation_space(), as, setup,
                                      reinforce_net(config), 4,
                                      "value, gradient, Adam's two moments");
        return out;
      }()),
      // normalize_reward is off (refused above): only observations are normalised.
      policy_(envs_.front()->observation_space(), envs_.front()->action_space(), setup,
              reinforce_net(config), internal::normalize_options(setup.run, config.gamma)),
      N_(setup.run.n_envs),
      D_(policy_.D),
      A_(policy_.A),
      discrete_(policy_.discrete),
      model_(policy_.model.get()),
      opt_(std::make_unique<optim::Adam>(
          model_->parameters(),
          optim::AdamOptions{.lr = config.learning_rate, .eps = config.adam_eps})),
      reset_seed_(static_cast<uint64_t>(setup.run.seed)),
      episodes_(static_cast<size_t>(setup.run.n_envs)),
      raw_(static_cast<size_t>(policy_.D)) {}

void ReinforceAgent::encode_obs(const Tensor& obs, bool update_stats, float* out) {
  policy_.encoder.encode(obs.unsqueeze(0), raw_.data());
  if (!all_finite(raw_.data(), D_))
    throw NonFiniteError("observation", global_step_,
                         str("reinforce: observation is not finite at step ", global_step_));
  if (update_stats) policy_.norm.update_obs(raw_);
  policy_.norm.normalize_obs(raw_, {out, static_cast<size_t>(D_)});
}

void ReinforceAgent::collect_episodes(MetricSink& sink) {
  // Every env plays one whole episode with the current policy; envs that finish wait for the
  // others, so the batch is exactly on-policy and no step is thrown away. Only the end of the
  // step budget (total_timesteps) cuts episodes short.
  std::vector<int64_t> active;
  std::vector<double> ep_return(static_cast<size_t>(N_), 0.0);
  for (int64_t i = 0; i < N_; ++i) {
    Episode& ep = episodes_[static_cast<size_t>(i)];
    ep.obs.clear();
    ep.actions.clear();
    ep.discrete.clear();
    ep.rewards.clear();
    ep.final_obs.clear();
    ep.truncated = false;
    std::optional<uint64_t> seed;
    if (reset_seed_) seed = *reset_seed_ + static_cast<uint64_t>(i);
    auto r = envs_[static_cast<size_t>(i)]->reset(seed);
    ep.obs.resize(static_cast<size_t>(D_));
    encode_obs(r.obs, true, ep.obs.data());
    active.push_back(i);
  }
  reset_seed_.reset();

  Tensor batch, actions;
  std::vector<float> row(static_cast<size_t>(A_));
  while (!active.empty()) {
    const int64_t B = static_cast<int64_t>(active.size());
    if (!batch.defined() || batch.size(0) != B) batch = empty({B, D_});
    for (int64_t b = 0; b < B; ++b) {
      const Episode& ep = episodes_[static_cast<size_t>(active[static_cast<size_t>(b)])];
      std::copy_n(ep.obs.end() - D_, D_, batch.data<float>() + b * D_);
    }
    policy_.act(batch, false, &actions, nullptr, nullptr);
    const Tensor env_actions = policy_.env_actions(actions);
    std::vector<int64_t> still;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t i = active[static_cast<size_t>(b)];
      Episode& ep = episodes_[static_cast<size_t>(i)];
      if (global_step_ >= setup_.run.total_timesteps) {
        // The step budget ends the run inside these episodes: they count as truncated there,
        // bootstrapped from the value of the observation no action was taken in.
        ep.final_obs.assign(ep.obs.end() - D_, ep.obs.end());
        ep.obs.resize(ep.obs.size() - static_cast<size_t>(D_));
        ep.truncated = !ep.rewards.empty();
        continue;
      }
      int64_t index = 0;
      if (discrete_) {
        index = actions.data<int64_t>()[b];
        ep.discrete.push_back(index);
      } else {
        const float* a = actions.data<float>() + b * A_;
        ep.actions.insert(ep.actions.end(), a, a + A_);
        std::copy_n(env_actions.data<float>() + b * A_, A_, row.data());
      }
      const envs::Action action =
          discrete_ ? envs::Action(index) : envs::Action(std::span<const float>(row));
      auto s = envs_[static_cast<size_t>(i)]->step(action);
      ++global_step_;
      if (!std::isfinite(s.reward))
        throw NonFiniteError(
            "reward", global_step_,
            str("reinforce: reward of env ", i, " is ", s.reward, " at step ", global_step_));
      ep.rewards.push_back(static_cast<float>(s.reward));
      ep_return[static_cast<size_t>(i)] += s.reward;
      if (s.terminated || s.truncated) {
        ep.truncated = !s.terminated;
        if (ep.truncated) {
          ep.final_obs.resize(static_cast<size_t>(D_));
          encode_obs(s.obs, false, ep.final_obs.data());
        }
        sink.log(global_step_, metric::kEpisodeReturn, ep_return[static_cast<size_t>(i)]);
        sink.log(global_step_, metric::kEpisodeLength, static_cast<double>(ep.rewards.size()));
      } else {
        ep.obs.resize(ep.obs.size() + static_cast<size_t>(D_));
        encode_obs(s.obs, true, ep.obs.data() + ep.obs.size() - D_);
        still.push_back(i);
      }
    }
    active = std::move(still);
  }
}

void ReinforceAgent::update(MetricSink& sink) {
  const double lr = internal::learning_rate_at(cfg_.learning_rate, cfg_.anneal_lr, global_step_,
                                               setup_.run.total_timesteps);
  opt_->set_lr(lr);

  // The batch: every episode's steps in env order.
  int64_t T = 0;
  std::vector<int64_t> trunc_eps;
  for (size_t e = 0; e < episodes_.size(); ++e) {
    T += static_cast<int64_t>(episodes_[e].rewards.size());
    if (episodes_[e].truncated) trunc_eps.push_back(static_cast<int64_t>(e));
  }
  std::vector<double> bootstrap(episodes_.size(), 0.0);
  if (cfg_.bootstrap_truncated && cfg_.baseline && !trunc_eps.empty()) {
    Tensor fin = empty({static_cast<int64_t>(trunc_eps.size()), D_});
    for (size_t k = 0; k < trunc_eps.size(); ++k)
      std::copy_n(episodes_[static_cast<size_t>(trunc_eps[k])].final_obs.data(), D_,
                  fin.data<float>() + k * D_);
    no_grad guard;
    Tensor fv = model_->values(Var(fin)).value();
    for (size_t k = 0; k < trunc_eps.size(); ++k)
      bootstrap[static_cast<size_t>(trunc_eps[k])] = fv.data<float>()[k];
  }
  Tensor obs = empty({T, D_});
  Tensor actions = discrete_ ? empty({T}, Dtype::Int64) : empty({T, A_});
  Tensor returns = empty({T});
  int64_t row = 0;
  for (size_t e = 0; e < episodes_.size(); ++e) {
    const Episode& ep = episodes_[e];
    const int64_t len = static_cast<int64_t>(ep.rewards.size());
    std::copy_n(ep.obs.data(), len * D_, obs.data<float>() + row * D_);
    if (discrete_)
      std::copy_n(ep.discrete.data(), len, actions.data<int64_t>() + row);
    else
      std::copy_n(ep.actions.data(), len * A_, actions.data<float>() + row * A_);
    reward_to_go(ep.rewards, cfg_.gamma, bootstrap[e],
                 {returns.data<float>() + row, static_cast<size_t>(len)});
    row += len;
  }

  auto [v, log_prob, entropy] = policy_.evaluate_actions(obs, actions);  // (T) each
  // The policy weights: G_t - V(s_t) (a constant: the baseline gets no policy gradient).
  Tensor weights = cfg_.baseline ? returns - v.value() : returns.clone();
  if (cfg_.normalize_returns && T > 1) weights = (weights - mean(weights)) / (std(weights) + 1e-8);
  Var policy_loss = -mean(Var(weights) * log_prob);
  Var entropy_loss = -mean(entropy);
  Var loss = policy_loss + cfg_.ent_coef * entropy_loss;
  Var value_loss;
  if (cfg_.baseline) {
    value_loss = nn::mse_loss(v, Var(returns));
    loss = loss + cfg_.vf_coef * value_loss;
  }
  const double pl = policy_loss.item(), el = entropy_loss.item();
  const double vl = cfg_.baseline ? value_loss.item() : 0.0;
  internal::check_losses("reinforce", global_step_, iteration_, pl, vl, el);
  const double gn = internal::backward_and_step(*opt_, loss, model_->parameters(),
                                                cfg_.max_grad_norm, "reinforce", global_step_);

  sink.log(global_step_, metric::kPolicyLoss, pl);
  if (cfg_.baseline) sink.log(global_step_, metric::kValueLoss, vl);
  sink.log(global_step_, metric::kEntropyLoss, el);
  sink.log(global_step_, metric::kGradNorm, gn);
  sink.log(global_step_, metric::kLearningRate, lr);
  if (cfg_.baseline && T > 1) {
    const double ev = explained_variance({returns.data<float>(), static_cast<size_t>(T)},
                                         {v.value().data<float>(), static_cast<size_t>(T)});
    if (std::isfinite(ev)) sink.log(global_step_, metric::kExplainedVariance, ev);
  }
  if (!discrete_)
    sink.log(global_step_, metric::kActionStd, exp(model_->log_std().value()).mean().item());
}

void ReinforceAgent::iterate(MetricSink& sink) {
  model_->train();
  collect_episodes(sink);
  update(sink);
  ++iteration_;
}

void ReinforceAgent::state(StateIO& io) {
  internal::policy_gradient_state(io, policy_, *opt_, global_step_, iteration_);
  if (!io.loading()) return;
  // Every iteration starts fresh episodes; a resumed run seeds them from its own stream.
  reset_seed_ = static_cast<uint64_t>(setup_.run.seed) + static_cast<uint64_t>(global_step_);
}

}  // namespace

std::unique_ptr<Agent> make_reinforce(const AgentSetup& setup, const ReinforceConfig& config) {
  config.validate();
  return std::make_unique<ReinforceAgent>(setup, config);
}

AlgorithmInfo reinforce_algorithm() {
  return internal::algorithm_entry<ReinforceConfig>(
      "reinforce", "REINFORCE with a learned baseline (Monte-Carlo returns over whole episodes)",
      {envs::SpaceKind::Discrete, envs::SpaceKind::Box}, make_reinforce);
}

}  // namespace rein::rl
