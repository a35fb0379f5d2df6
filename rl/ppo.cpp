// PPO: the rollout / GAE / update loop (rl/ppo.h cites the sources). The update reads top to
// bottom like CleanRL's ppo.py; the loss follows SB3's PPO.train() term by term.
#include "rl/ppo.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "autograd/distributions.h"
#include "autograd/loss.h"
#include "autograd/ops.h"
#include "autograd/optim.h"
#include "envs/registry.h"
#include "envs/vector_env.h"
#include "envs/wrappers.h"
#include "rl/actor_critic.h"
#include "rl/internal/obs_encoder.h"
#include "rl/rollout_buffer.h"
#include "rl/vec_normalize.h"

namespace rein::rl {

std::vector<Field> PPOConfig::fields() {
  return {
      {"n_steps", &n_steps, "steps per env per rollout"},
      {"batch_size", &batch_size, "minibatch size"},
      {"n_epochs", &n_epochs, "passes over each rollout"},
      {"learning_rate", &learning_rate, "Adam step size (initial value when annealed)"},
      {"anneal_lr", &anneal_lr, "decay the learning rate linearly to 0"},
      {"gamma", &gamma, "discount factor"},
      {"gae_lambda", &gae_lambda, "GAE lambda"},
      {"clip_range", &clip_range, "PPO ratio clip (initial value when annealed)"},
      {"anneal_clip_range", &anneal_clip_range, "decay the clip range linearly to 0"},
      {"clip_range_vf", &clip_range_vf, "value clip around old values (0: off)"},
      {"normalize_advantage", &normalize_advantage, "normalise advantages per minibatch"},
      {"ent_coef", &ent_coef, "entropy bonus weight"},
      {"vf_coef", &vf_coef, "value loss weight"},
      {"max_grad_norm", &max_grad_norm, "global gradient-norm clip"},
      {"target_kl", &target_kl, "early stop when approx KL > 1.5 target_kl (0: off)"},
      {"net_arch", &net_arch, "hidden sizes of actor and critic, e.g. 64,64"},
      {"activation", &activation, "tanh, relu or elu"},
      {"shared_network", &shared_network, "one trunk for actor and critic"},
      {"ortho_init", &ortho_init, "orthogonal initialisation"},
      {"log_std_init", &log_std_init, "initial log std (Box actions)"},
      {"adam_eps", &adam_eps, "Adam epsilon"},
  };
}

void PPOConfig::validate() const {
  auto need = [](bool ok, const char* key, const std::string& why) {
    if (!ok) throw Error(str("ppo: ", key, " ", why));
  };
  need(n_steps >= 1, "n_steps", str("must be >= 1, got ", n_steps));
  need(batch_size >= 1, "batch_size", str("must be >= 1, got ", batch_size));
  need(n_epochs >= 1, "n_epochs", str("must be >= 1, got ", n_epochs));
  need(learning_rate > 0, "learning_rate", str("must be > 0, got ", learning_rate));
  need(gamma >= 0 && gamma <= 1, "gamma", str("must be in [0, 1], got ", gamma));
  need(gae_lambda >= 0 && gae_lambda <= 1, "gae_lambda", str("must be in [0, 1], got ", gae_lambda));
  need(clip_range > 0, "clip_range", str("must be > 0, got ", clip_range));
  need(clip_range_vf >= 0, "clip_range_vf", str("must be >= 0, got ", clip_range_vf));
  need(max_grad_norm > 0, "max_grad_norm", str("must be > 0, got ", max_grad_norm));
  need(target_kl >= 0, "target_kl", str("must be >= 0, got ", target_kl));
  need(adam_eps > 0, "adam_eps", str("must be > 0, got ", adam_eps));
  parse_net_arch(net_arch);
  nn::activation_from_string(activation);
}

namespace {

bool all_finite(const float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

// torch.nn.utils.clip_grad_norm_ for the L2 norm: same arithmetic as optim::clip_grad_norm_
// (double accumulation in parameter order, factor max_norm / (norm + 1e-6)), but squares with
// a * a: the generic version calls std::pow per element, which perf measured at a quarter of
// CartPole training time. Returns the norm before clipping.
double clip_grad_norm_l2(const std::vector<Var>& params, double max_norm) {
  double total = 0.0;
  for (const Var& p : params) {
    if (!p.grad().defined()) continue;
    const Tensor g = p.grad().contiguous();
    const float* gp = g.data<float>();
    for (int64_t k = 0, n = g.numel(); k < n; ++k) {
      const double a = gp[k];
      total += a * a;
    }
  }
  total = std::sqrt(total);
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0)
    for (const Var& p : params)
      if (p.grad().defined()) {
        Tensor g = p.grad();
        g.mul_(coef);
      }
  return total;
}

class PPOAgent final : public Agent {
 public:
  PPOAgent(const AgentSetup& setup, const PPOConfig& config);

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
  // Resets the envs; update_stats feeds the first observations to the normaliser (SB3 does on
  // reset; a restored checkpoint must not, or its statistics would drift before training).
  void reset_envs(uint64_t seed, bool update_stats);
  void collect_rollout(MetricSink& sink);
  void update(MetricSink& sink);
  // Policy head output -> sampled (or deterministic) actions, their log-probs; values aside.
  void act(const Tensor& obs, bool deterministic, Tensor* actions, Tensor* log_probs,
           Tensor* values);
  // Actions as the env takes them: Box actions clipped to the bounds (SB3 does the same).
  Tensor env_actions(const Tensor& actions) const;

  AgentSetup setup_;
  PPOConfig cfg_;
  std::unique_ptr<envs::VectorEnv> envs_;
  internal::ObsEncoder encoder_;
  int64_t N_, D_, A_;
  bool discrete_;
  std::vector<double> low_, high_;
  Generator gen_;
  std::unique_ptr<ActorCritic> model_;
  std::unique_ptr<optim::Adam> opt_;
  VecNormalize norm_;
  RolloutBuffer buf_;
  Tensor obs_;  // (N, D) normalised current observations
  std::vector<float> raw_;
  int64_t global_step_ = 0;
  int64_t iteration_ = 0;
  Minibatch mb_;
};

PPOAgent::PPOAgent(const AgentSetup& setup, const PPOConfig& config)
    : setup_(setup),
      cfg_(config),
      envs_([&] {
        envs::VectorOptions vo;
        vo.kwargs = setup.env_kwargs;
        if (setup.run.threads > 1) {
          vo.mode = envs::VectorMode::Threaded;
          vo.num_threads = static_cast<int>(setup.run.threads);
        }
        vo.wrap = [](std::unique_ptr<envs::Env> e) -> std::unique_ptr<envs::Env> {
          return std::make_unique<envs::RecordEpisodeStatistics>(std::move(e));
        };
        return envs::make_vec(setup.env_id, setup.run.n_envs, vo);
      }()),
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
      buf_(config.n_steps, setup.run.n_envs, encoder_.dim(),
           envs_->single_action_space().is_box() ? envs_->single_action_space().flat_dim() : 1,
           envs_->single_action_space().is_discrete()) {
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
  opt_ = std::make_unique<optim::Adam>(
      model_->parameters(), optim::AdamOptions{.lr = cfg_.learning_rate, .eps = cfg_.adam_eps});
  obs_ = empty({N_, D_});
  raw_.resize(static_cast<size_t>(N_ * D_));
  reset_envs(static_cast<uint64_t>(setup.run.seed), true);
}

void PPOAgent::reset_envs(uint64_t seed, bool update_stats) {
  const envs::VectorStep& s = envs_->reset(seed);
  encoder_.encode(s.obs, raw_.data());
  if (update_stats) norm_.update_obs(raw_);
  norm_.normalize_obs(raw_, {obs_.data<float>(), raw_.size()});
}

void PPOAgent::act(const Tensor& obs, bool deterministic, Tensor* actions, Tensor* log_probs,
                   Tensor* values) {
  no_grad guard;
  auto [head, v] = model_->forward_both(Var(obs));
  if (values) *values = v.value();
  if (discrete_) {
    distributions::Categorical dist(head);
    *actions = deterministic ? dist.mode() : dist.sample(gen_);
    if (log_probs) *log_probs = dist.log_prob(*actions).value();
  } else {
    Var stdv = expand(exp(model_->log_std()), head.shape());
    distributions::Normal dist(head, stdv);
    *actions = deterministic ? head.value().clone() : dist.sample(gen_);
    if (log_probs) *log_probs = dist.log_prob(Var(*actions)).value();
  }
}

Tensor PPOAgent::env_actions(const Tensor& actions) const {
  if (discrete_) return actions;
  Tensor out = actions.clone();
  float* p = out.data<float>();
  const int64_t rows = out.size(0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < A_; ++j) {
      float& x = p[r * A_ + j];
      x = static_cast<float>(std::clamp<double>(x, low_[j], high_[j]));
    }
  return out;
}

void PPOAgent::collect_rollout(MetricSink& sink) {
  Tensor actions, log_probs, values;
  std::vector<int64_t> trunc_rows;
  std::vector<float> final_raw(static_cast<size_t>(D_));
  for (int64_t t = 0; t < cfg_.n_steps; ++t) {
    std::copy_n(obs_.data<float>(), N_ * D_, buf_.obs(t));
    act(obs_, false, &actions, &log_probs, &values);
    std::copy_n(log_probs.data<float>(), N_, buf_.log_probs(t));
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
                             str("ppo: reward of env ", i, " is ", r[i], " at step ", global_step_));
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
                           str("ppo: observation is not finite at step ", global_step_));
    norm_.update_obs(raw_);
    norm_.normalize_obs(raw_, {obs_.data<float>(), raw_.size()});

    // Time-limit bootstrap: V(final observation) of episodes truncated (and not terminated),
    // added as gamma * V to the GAE target (SB3 on_policy_algorithm.py, Pardo et al. 2018).
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
  {
    no_grad guard;
    Tensor last = model_->values(Var(obs_)).value();
    std::copy_n(last.data<float>(), N_, buf_.last_values().data());
  }
}

void PPOAgent::update(MetricSink& sink) {
  const double progress =
      std::max(0.0, 1.0 - static_cast<double>(global_step_) /
                              static_cast<double>(setup_.run.total_timesteps));
  const double lr = cfg_.anneal_lr ? cfg_.learning_rate * progress : cfg_.learning_rate;
  const double clip = cfg_.anneal_clip_range ? cfg_.clip_range * progress : cfg_.clip_range;
  opt_->set_lr(lr);
  buf_.compute_returns_and_advantages(cfg_.gamma, cfg_.gae_lambda);

  const int64_t n = buf_.size();
  const int64_t B = std::min(cfg_.batch_size, n);
  const std::vector<Var> params = model_->parameters();
  double pg_sum = 0, v_sum = 0, ent_sum = 0, clipfrac_sum = 0, gn_sum = 0, kl_last_sum = 0;
  int64_t updates = 0, kl_last_count = 0;
  bool stop = false;
  for (int64_t epoch = 0; epoch < cfg_.n_epochs && !stop; ++epoch) {
    kl_last_sum = 0;
    kl_last_count = 0;
    Tensor perm = randperm(n, gen_);
    const int64_t* order = perm.data<int64_t>();
    for (int64_t start = 0; start < n; start += B) {
      const int64_t len = std::min(B, n - start);
      buf_.gather({order + start, static_cast<size_t>(len)}, mb_);

      Tensor adv = mb_.advantages;
      if (cfg_.normalize_advantage && len > 1) {
        // SB3: (adv - mean) / (std + 1e-8), std unbiased (torch.Tensor.std).
        adv = (adv - mean(adv)) / (std(adv) + 1e-8);
      }
      auto [head, v] = model_->forward_both(Var(mb_.obs));
      Var log_prob, entropy;
      if (discrete_) {
        distributions::Categorical dist(head);
        log_prob = dist.log_prob(mb_.actions);
        entropy = dist.entropy();
      } else {
        distributions::Normal dist(head, expand(exp(model_->log_std()), head.shape()));
        log_prob = dist.log_prob(Var(mb_.actions));
        entropy = dist.entropy();
      }
      Var log_ratio = log_prob - Var(mb_.old_log_probs);
      Var ratio = exp(log_ratio);
      // Clipped surrogate objective (PPO paper eq. 7), negated for minimisation.
      Var policy_loss = -mean(minimum(ratio * Var(adv), clamp(ratio, 1 - clip, 1 + clip) * Var(adv)));
      Var v_pred = v;
      if (cfg_.clip_range_vf > 0) {
        v_pred = Var(mb_.old_values) +
                 clamp(v - Var(mb_.old_values), -cfg_.clip_range_vf, cfg_.clip_range_vf);
      }
      Var value_loss = nn::mse_loss(v_pred, Var(mb_.returns));
      Var entropy_loss = -mean(entropy);
      Var loss = policy_loss + cfg_.ent_coef * entropy_loss + cfg_.vf_coef * value_loss;

      const double pl = policy_loss.item(), vl = value_loss.item(), el = entropy_loss.item();
      for (auto [name, x] : {std::pair{"loss/policy", pl}, {"loss/value", vl},
                             {"loss/entropy", el}})
        if (!std::isfinite(x))
          throw NonFiniteError(name, global_step_,
                               str("ppo: ", name, " is ", x, " at step ", global_step_,
                                   " (update ", iteration_, ")"));
      double approx_kl, clipfrac;
      {
        // approx KL (Schulman's k3 estimator, as SB3/CleanRL) and the clipped fraction.
        const Tensor& r = ratio.value();
        const Tensor& lr_t = log_ratio.value();
        approx_kl = mean((r - 1.0) - lr_t).item();
        clipfrac = mean(gt(abs(r - 1.0), clip).to(Dtype::Float32)).item();
      }
      if (cfg_.target_kl > 0 && approx_kl > 1.5 * cfg_.target_kl) {
        stop = true;  // SB3: stop before stepping on this minibatch
        break;
      }
      kl_last_sum += approx_kl;
      ++kl_last_count;

      opt_->zero_grad();
      loss.backward();
      const double gn = clip_grad_norm_l2(params, cfg_.max_grad_norm);
      if (!std::isfinite(gn))
        throw NonFiniteError("train/grad_norm", global_step_,
                             str("ppo: gradient norm is ", gn, " at step ", global_step_));
      opt_->step();

      pg_sum += pl;
      v_sum += vl;
      ent_sum += el;
      clipfrac_sum += clipfrac;
      gn_sum += gn;
      ++updates;
    }
  }
  const double u = std::max<int64_t>(updates, 1);
  sink.log(global_step_, "loss/policy", pg_sum / u);
  sink.log(global_step_, "loss/value", v_sum / u);
  sink.log(global_step_, "loss/entropy", ent_sum / u);
  sink.log(global_step_, "train/approx_kl", kl_last_sum / std::max<int64_t>(kl_last_count, 1));
  sink.log(global_step_, "train/clip_fraction", clipfrac_sum / u);
  sink.log(global_step_, "train/grad_norm", gn_sum / u);
  sink.log(global_step_, "train/learning_rate", lr);
  sink.log(global_step_, "train/clip_range", clip);
  const double ev = buf_.explained_variance();
  if (std::isfinite(ev)) sink.log(global_step_, "train/explained_variance", ev);
  if (!discrete_) sink.log(global_step_, "train/std", exp(model_->log_std().value()).mean().item());
}

void PPOAgent::iterate(MetricSink& sink) {
  model_->train();
  collect_rollout(sink);
  update(sink);
  ++iteration_;
}

Tensor PPOAgent::predict(const Tensor& obs, bool deterministic) {
  const int64_t rows = obs.size(0);
  std::vector<float> raw(static_cast<size_t>(rows * D_));
  encoder_.encode(obs, raw.data());
  Tensor normed = empty({rows, D_});
  norm_.normalize_obs(raw, {normed.data<float>(), raw.size()});
  Tensor actions;
  act(normed, deterministic, &actions, nullptr, nullptr);
  return env_actions(actions);
}

std::vector<std::pair<std::string, Tensor>> PPOAgent::state_tensors() {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, t] : model_->state_dict()) out.emplace_back("model." + name, t);
  for (auto& [name, t] : opt_->state_dict()) out.emplace_back("optimizer." + name, t);
  return out;
}

std::string PPOAgent::state_json() {
  nlohmann::json j;
  j["global_step"] = global_step_;
  j["iteration"] = iteration_;
  j["generator"] = gen_.state_string();
  j["obs_rms"] = {{"mean", norm_.obs_rms().mean}, {"var", norm_.obs_rms().var},
                  {"count", norm_.obs_rms().count}};
  j["ret_rms"] = {{"mean", norm_.ret_rms().mean}, {"var", norm_.ret_rms().var},
                  {"count", norm_.ret_rms().count}};
  j["running_returns"] = norm_.running_returns();
  return j.dump();
}

void PPOAgent::load_state(const std::vector<std::pair<std::string, Tensor>>& tensors,
                          const std::string& json) {
  nn::NamedTensors model, optim;
  for (const auto& [name, t] : tensors) {
    if (name.rfind("model.", 0) == 0)
      model.emplace_back(name.substr(6), t);
    else if (name.rfind("optimizer.", 0) == 0)
      optim.emplace_back(name.substr(10), t);
    else
      throw Error(str("ppo checkpoint: unexpected tensor '", name, "'"));
  }
  model_->load_state_dict(model);
  opt_->load_state_dict(optim);
  try {
    nlohmann::json j = nlohmann::json::parse(json);
    global_step_ = j.at("global_step").get<int64_t>();
    iteration_ = j.at("iteration").get<int64_t>();
    gen_.set_state_string(j.at("generator").get<std::string>());
    auto load_rms = [](const nlohmann::json& o, envs::RunningMeanStd& rms) {
      auto mean = o.at("mean").get<std::vector<double>>();
      auto var = o.at("var").get<std::vector<double>>();
      if (mean.size() != rms.mean.size() || var.size() != rms.var.size())
        throw Error(str("ppo checkpoint: normaliser size ", mean.size(), " does not match ",
                        rms.mean.size()));
      rms.mean = mean;
      rms.var = var;
      rms.count = o.at("count").get<double>();
    };
    load_rms(j.at("obs_rms"), norm_.obs_rms());
    load_rms(j.at("ret_rms"), norm_.ret_rms());
    auto rr = j.at("running_returns").get<std::vector<double>>();
    if (rr.size() == norm_.running_returns().size()) norm_.running_returns() = rr;
  } catch (const nlohmann::json::exception& e) {
    throw Error(str("ppo checkpoint: bad state: ", e.what()));
  }
  // The envs restart from fresh episodes on a stream of their own (SB3 resets on load too).
  reset_envs(static_cast<uint64_t>(setup_.run.seed) + static_cast<uint64_t>(global_step_), false);
}

}  // namespace

std::unique_ptr<Agent> make_ppo(const AgentSetup& setup, const PPOConfig& config) {
  config.validate();
  return std::make_unique<PPOAgent>(setup, config);
}

AlgorithmInfo ppo_algorithm() {
  AlgorithmInfo info;
  info.name = "ppo";
  info.summary = "Proximal Policy Optimization (clipped surrogate, GAE), as SB3/CleanRL";
  info.action_spaces = {envs::SpaceKind::Discrete, envs::SpaceKind::Box};
  info.describe_config = [] {
    PPOConfig c;
    std::vector<std::vector<std::string>> out;
    for (const Field& f : c.fields())
      out.push_back({std::string(f.name), field_to_string(f), field_type(f), std::string(f.help)});
    return out;
  };
  info.make = [](const AgentSetup& setup, Settings& settings) {
    PPOConfig c;
    auto fields = c.fields();
    settings.apply(fields);
    settings.finish();  // unknown keys fail before any env or model is built
    return make_ppo(setup, c);
  };
  return info;
}

}  // namespace rein::rl
