// A2C: n-step rollout, returns/advantages, one RMSprop step per rollout (rl/a2c.h cites the
// sources). The loss follows SB3's A2C.train() term by term.
#include "rl/a2c.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <nlohmann/json.hpp>

#include "autograd/distributions.h"
#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "rl/actor_critic.h"
#include "rl/internal/obs_encoder.h"
#include "rl/internal/on_policy.h"
#include "rl/rollout_buffer.h"
#include "rl/vec_normalize.h"

namespace rein::rl {

std::vector<Field> A2CConfig::fields() {
  return {
      {"n_steps", &n_steps, "steps per env per update"},
      {"learning_rate", &learning_rate, "optimizer step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"gamma", &gamma, "discount factor"},
      {"gae_lambda", &gae_lambda, "GAE lambda (1: n-step returns)"},
      {"ent_coef", &ent_coef, "entropy bonus weight"},
      {"vf_coef", &vf_coef, "value loss weight"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip"},
      {"normalize_advantage", &normalize_advantage, "standardise each rollout's advantages"},
      {"use_rms_prop", &use_rms_prop, "RMSprop (alpha 0.99) if true, else Adam"},
      {"rms_prop_eps", &rms_prop_eps, "RMSprop (or Adam) epsilon"},
      {"net_arch", &net_arch, "hidden sizes of actor and critic, e.g. 64,64"},
      {"activation", &activation, "tanh, relu or elu"},
      {"shared_network", &shared_network, "one trunk for actor and critic"},
      {"ortho_init", &ortho_init, "orthogonal initialisation"},
      {"log_std_init", &log_std_init, "initial log std (Box actions)"},
  };
}

void A2CConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("a2c: ", key, " ", why));
  };
  need(n_steps >= 1, "n_steps", str("must be >= 1, got ", n_steps));
  need(learning_rate > 0, "learning_rate", str("must be > 0, got ", learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(gae_lambda >= 0 && gae_lambda <= 1, "gae_lambda", str("must be in [0, 1], got ", gae_lambda));
  need(vf_coef >= 0, "vf_coef", str("must be >= 0, got ", vf_coef));
  need(max_grad_norm > 0, "max_grad_norm", str("must be > 0, got ", max_grad_norm));
  need(rms_prop_eps > 0, "rms_prop_eps", str("must be > 0, got ", rms_prop_eps));
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
}

namespace {

using internal::all_finite;

class A2CAgent final : public Agent {
 public:
  A2CAgent(const AgentSetup& setup, const A2CConfig& config);

  void iterate(MetricSink& sink) override;
  int64_t global_step() const override { return global_step_; }
  Tensor predict(const Tensor& obs, bool deterministic) override;
  std::vector<std::pair<std::string, std::string>> params() override {
    return to_params(cfg_.fields());
  }
  std::vector<std::pair<std::string, Tensor>> state_tensors() override;
  std::string state_json() override;
  void load_state(const std::vector<std::pair<std::string, Tensor>>& tensors,
                  const std::string& json) override;

 private:
  void reset_envs(uint64_t seed, bool update_stats);
  void collect_rollout(MetricSink& sink);
  void update(MetricSink& sink);
  void act(const Tensor& obs, bool deterministic, Tensor* actions, Tensor* values);
  Tensor env_actions(const Tensor& actions) const;

  AgentSetup setup_;
  A2CConfig cfg_;
  std::unique_ptr<envs::VectorEnv> envs_;
  internal::ObsEncoder encoder_;
  int64_t N_, D_, A_;
  bool discrete_;
  std::vector<double> low_, high_;
  Generator gen_;
  std::unique_ptr<ActorCritic> model_;
  std::unique_ptr<optim::Optimizer> opt_;
  VecNormalize norm_;
  RolloutBuffer buf_;
  Tensor obs_;  // (N, D) normalised current observations
  std::vector<float> raw_;
  int64_t global_step_ = 0;
  int64_t iteration_ = 0;
  std::vector<int64_t> all_rows_;  // 0 .. T*N-1: the whole rollout is one batch
  Minibatch batch_;
};

A2CAgent::A2CAgent(const AgentSetup& setup, const A2CConfig& config)
    : setup_(setup),
      cfg_(config),
      envs_(internal::make_train_envs(setup)),
      encoder_(envs_->single_observation_space(), setup.env_id),
      N_(setup.run.n_envs),
      D_(encoder_.dim()),
      A_(envs_->single_action_space().is_box() ? envs_->single_action_space().flat_dim() : 1),
      discrete_(envs_->single_action_space().is_discrete()),
      gen_(static_cast<uint64_t>(setup.run.seed)),
      norm_(setup.run.n_envs, encoder_.dim(),
            {.normalize_obs = setup.run.normalize_obs,
             .normalize_reward = setup.run.normalize_reward,
             .clip_obs = setup.run.clip_obs,
             .clip_reward = setup.run.clip_reward,
             .gamma = config.gamma}),
      buf_(config.n_steps, setup.run.n_envs, encoder_.dim(), A_, discrete_) {
  const envs::Space& as = envs_->single_action_space();
  if (as.is_box()) {
    low_ = as.box().low;
    high_ = as.box().high;
  }
  ActorCriticSpec spec{.obs_dim = D_,
                       .action_space = as,
                       .hidden = parse_net_arch(cfg_.net_arch),
                       .activation = nn::activation_from_string(cfg_.activation),
                       .shared = cfg_.shared_network,
                       .ortho_init = cfg_.ortho_init,
                       .log_std_init = cfg_.log_std_init};
  Generator init_gen = gen_.split();
  model_ = std::make_unique<ActorCritic>(spec, init_gen);
  if (cfg_.use_rms_prop) {
    // SB3 A2C: th.optim.RMSprop(alpha=0.99, eps=rms_prop_eps, weight_decay=0).
    opt_ = std::make_unique<optim::RMSprop>(
        model_->parameters(),
        optim::RMSpropOptions{.lr = cfg_.learning_rate, .alpha = 0.99, .eps = cfg_.rms_prop_eps});
  } else {
    opt_ = std::make_unique<optim::Adam>(
        model_->parameters(),
        optim::AdamOptions{.lr = cfg_.learning_rate, .eps = cfg_.rms_prop_eps});
  }
  obs_ = empty({N_, D_});
  raw_.resize(static_cast<size_t>(N_ * D_));
  all_rows_.resize(static_cast<size_t>(buf_.size()));
  std::iota(all_rows_.begin(), all_rows_.end(), int64_t{0});
  reset_envs(static_cast<uint64_t>(setup.run.seed), true);
}

void A2CAgent::reset_envs(uint64_t seed, bool update_stats) {
  const envs::VectorStep& s = envs_->reset(seed);
  encoder_.encode(s.obs, raw_.data());
  if (update_stats) norm_.update_obs(raw_);
  norm_.normalize_obs(raw_, {obs_.data<float>(), raw_.size()});
}

void A2CAgent::act(const Tensor& obs, bool deterministic, Tensor* actions, Tensor* values) {
  no_grad guard;
  auto [head, v] = model_->forward_both(Var(obs));
  if (values) *values = v.value();
  if (discrete_) {
    distributions::Categorical dist(head);
    *actions = deterministic ? dist.mode() : dist.sample(gen_);
  } else {
    distributions::Normal dist(head, expand(exp(model_->log_std()), head.shape()));
    *actions = deterministic ? head.value().clone() : dist.sample(gen_);
  }
}

Tensor A2CAgent::env_actions(const Tensor& actions) const {
  if (discrete_) return actions;
  Tensor out = actions.clone();
  internal::clamp_rows(out.data<float>(), out.size(0), low_, high_);
  return out;
}

void A2CAgent::collect_rollout(MetricSink& sink) {
  Tensor actions, values;
  std::vector<int64_t> trunc_rows;
  std::vector<float> final_raw(static_cast<size_t>(D_));
  for (int64_t t = 0; t < cfg_.n_steps; ++t) {
    std::copy_n(obs_.data<float>(), N_ * D_, buf_.obs(t));
    act(obs_, false, &actions, &values);
    std::copy_n(values.data<float>(), N_, buf_.values(t));
    if (discrete_)
      std::copy_n(actions.data<int64_t>(), N_, buf_.discrete_actions(t));
    else
      std::copy_n(actions.data<float>(), N_ * A_, buf_.continuous_actions(t));

    const envs::VectorStep& s = envs_->step(env_actions(actions));
    global_step_ += N_;

    float* rewards = buf_.rewards(t);
    uint8_t* dones = buf_.dones(t);
    const float* r = s.rewards.data<float>();
    const bool* done = s.done.data<bool>();
    const bool* term = s.terminated.data<bool>();
    for (int64_t i = 0; i < N_; ++i) {
      rewards[i] = r[i];
      dones[i] = done[i] ? 1 : 0;
      if (!std::isfinite(r[i]))
        throw NonFiniteError("reward", global_step_,
                             str("a2c: reward of env ", i, " is ", r[i], " at step ", global_step_));
      if (done[i]) {
        const envs::Info& info = envs_->final_info(i);
        if (info.contains("episode_return")) {
          sink.log(global_step_, "train/episode_return", info.number("episode_return"));
          sink.log(global_step_, "train/episode_length", info.number("episode_length"));
        }
      }
    }
    encoder_.encode(s.obs, raw_.data());
    if (!all_finite(raw_.data(), N_ * D_))
      throw NonFiniteError("observation", global_step_,
                           str("a2c: observation is not finite at step ", global_step_));
    norm_.update_obs(raw_);
    norm_.normalize_obs(raw_, {obs_.data<float>(), raw_.size()});

    // Time-limit bootstrap from V(final observation) of truncated episodes (SB3
    // on_policy_algorithm.py, Pardo et al. 2018); terminated episodes get 0.
    float* tv = buf_.truncation_values(t);
    trunc_rows.clear();
    for (int64_t i = 0; i < N_; ++i) {
      tv[i] = 0.0f;
      if (done[i] && !term[i]) trunc_rows.push_back(i);
    }
    if (!trunc_rows.empty()) {
      Tensor fin = empty({static_cast<int64_t>(trunc_rows.size()), D_});
      for (size_t k = 0; k < trunc_rows.size(); ++k) {
        encoder_.encode_row(s.final_obs, trunc_rows[k], final_raw.data());
        norm_.normalize_obs(final_raw, {fin.data<float>() + k * D_, static_cast<size_t>(D_)});
      }
      no_grad guard;
      Tensor fv = model_->values(Var(fin)).value();
      for (size_t k = 0; k < trunc_rows.size(); ++k) tv[trunc_rows[k]] = fv.data<float>()[k];
    }
    norm_.normalize_rewards({rewards, static_cast<size_t>(N_)}, {dones, static_cast<size_t>(N_)});
  }
  no_grad guard;
  Tensor last = model_->values(Var(obs_)).value();
  std::copy_n(last.data<float>(), N_, buf_.last_values().data());
}

void A2CAgent::update(MetricSink& sink) {
  const double progress =
      std::max(0.0, 1.0 - static_cast<double>(global_step_) /
                              static_cast<double>(setup_.run.total_timesteps));
  const double lr = cfg_.anneal_lr ? cfg_.learning_rate * progress : cfg_.learning_rate;
  opt_->set_lr(lr);
  // gae_lambda = 1: A_t = sum_k gamma^k r_{t+k} + gamma^n V(s_{t+n}) - V(s_t), the n-step
  // advantage of the A3C paper (each step bootstraps from the end of its rollout).
  buf_.compute_returns_and_advantages(cfg_.gamma, cfg_.gae_lambda);
  buf_.gather(all_rows_, batch_);

  Tensor adv = batch_.advantages;
  if (cfg_.normalize_advantage && adv.numel() > 1) adv = (adv - mean(adv)) / (std(adv) + 1e-8);

  auto [head, v] = model_->forward_both(Var(batch_.obs));  // (T*N, A), (T*N)
  Var log_prob, entropy;
  if (discrete_) {
    distributions::Categorical dist(head);
    log_prob = dist.log_prob(batch_.actions);
    entropy = dist.entropy();
  } else {
    distributions::Normal dist(head, expand(exp(model_->log_std()), head.shape()));
    log_prob = dist.log_prob(Var(batch_.actions));
    entropy = dist.entropy();
  }
  // Policy gradient with the advantage as a constant weight (Mnih et al. 2016, algorithm S3).
  Var policy_loss = -mean(Var(adv) * log_prob);
  Var value_loss = nn::mse_loss(v, Var(batch_.returns));
  Var entropy_loss = -mean(entropy);
  Var loss = policy_loss + cfg_.ent_coef * entropy_loss + cfg_.vf_coef * value_loss;

  const double pl = policy_loss.item(), vl = value_loss.item(), el = entropy_loss.item();
  for (auto [name, x] :
       {std::pair{"loss/policy", pl}, {"loss/value", vl}, {"loss/entropy", el}})
    if (!std::isfinite(x))
      throw NonFiniteError(name, global_step_,
                           str("a2c: ", name, " is ", x, " at step ", global_step_, " (update ",
                               iteration_, ")"));
  opt_->zero_grad();
  loss.backward();
  const double gn = internal::clip_grad_norm_l2(model_->parameters(), cfg_.max_grad_norm);
  if (!std::isfinite(gn))
    throw NonFiniteError("train/grad_norm", global_step_,
                         str("a2c: gradient norm is ", gn, " at step ", global_step_));
  opt_->step();

  sink.log(global_step_, "loss/policy", pl);
  sink.log(global_step_, "loss/value", vl);
  sink.log(global_step_, "loss/entropy", el);
  sink.log(global_step_, "train/grad_norm", gn);
  sink.log(global_step_, "train/learning_rate", lr);
  const double ev = buf_.explained_variance();
  if (std::isfinite(ev)) sink.log(global_step_, "train/explained_variance", ev);
  if (!discrete_) sink.log(global_step_, "train/std", exp(model_->log_std().value()).mean().item());
}

void A2CAgent::iterate(MetricSink& sink) {
  model_->train();
  collect_rollout(sink);
  update(sink);
  ++iteration_;
}

Tensor A2CAgent::predict(const Tensor& obs, bool deterministic) {
  const int64_t rows = obs.size(0);
  std::vector<float> raw(static_cast<size_t>(rows * D_));
  encoder_.encode(obs, raw.data());
  Tensor normed = empty({rows, D_});
  norm_.normalize_obs(raw, {normed.data<float>(), raw.size()});
  Tensor actions;
  act(normed, deterministic, &actions, nullptr);
  return env_actions(actions);
}

std::vector<std::pair<std::string, Tensor>> A2CAgent::state_tensors() {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, t] : model_->state_dict()) out.emplace_back("model." + name, t);
  for (auto& [name, t] : opt_->state_dict()) out.emplace_back("optimizer." + name, t);
  return out;
}

std::string A2CAgent::state_json() {
  nlohmann::json j;
  j["global_step"] = global_step_;
  j["iteration"] = iteration_;
  j["generator"] = gen_.state_string();
  internal::save_normalizer(norm_, j);
  return j.dump();
}

void A2CAgent::load_state(const std::vector<std::pair<std::string, Tensor>>& tensors,
                          const std::string& json) {
  nn::NamedTensors model, optim;
  for (const auto& [name, t] : tensors) {
    if (name.rfind("model.", 0) == 0)
      model.emplace_back(name.substr(6), t);
    else if (name.rfind("optimizer.", 0) == 0)
      optim.emplace_back(name.substr(10), t);
    else
      throw Error(str("a2c checkpoint: unexpected tensor '", name, "'"));
  }
  model_->load_state_dict(model);
  opt_->load_state_dict(optim);
  try {
    nlohmann::json j = nlohmann::json::parse(json);
    global_step_ = j.at("global_step").get<int64_t>();
    iteration_ = j.at("iteration").get<int64_t>();
    gen_.set_state_string(j.at("generator").get<std::string>());
    internal::load_normalizer(j, norm_, "a2c checkpoint");
  } catch (const nlohmann::json::exception& e) {
    throw Error(str("a2c checkpoint: bad state: ", e.what()));
  }
  // The envs restart from fresh episodes on a stream of their own (as PPO and SB3 on load).
  reset_envs(static_cast<uint64_t>(setup_.run.seed) + static_cast<uint64_t>(global_step_), false);
}

}  // namespace

std::unique_ptr<Agent> make_a2c(const AgentSetup& setup, const A2CConfig& config) {
  config.validate();
  return std::make_unique<A2CAgent>(setup, config);
}

AlgorithmInfo a2c_algorithm() {
  AlgorithmInfo info;
  info.name = "a2c";
  info.summary = "Advantage Actor-Critic (n-step returns, RMSprop), as SB3";
  info.action_spaces = {envs::SpaceKind::Discrete, envs::SpaceKind::Box};
  info.describe_config = [] {
    A2CConfig c;
    std::vector<std::vector<std::string>> out;
    for (const Field& f : c.fields())
      out.push_back({std::string(f.name), field_to_string(f), field_type(f), std::string(f.help)});
    return out;
  };
  info.make = [](const AgentSetup& setup, Settings& settings) {
    A2CConfig c;
    auto fields = c.fields();
    settings.apply(fields);
    settings.finish();
    return make_a2c(setup, c);
  };
  return info;
}

}  // namespace rein::rl
