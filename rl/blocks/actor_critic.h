// ActorCritic: the policy and value networks of on-policy algorithms (PPO, A2C), as SB3's
// ActorCriticPolicy: separate (or shared) MLP trunks, a linear action head (logits for Discrete,
// means for Box with a state-independent log-std parameter, or with gSDE a (features x actions)
// log-std matrix of the state-dependent noise) and a linear value head. With a CnnPolicy one
// NatureCNN turns image rows into features that both trunks share (SB3's
// share_features_extractor default).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "autograd/distributions.h"
#include "autograd/layers.h"
#include "autograd/module.h"
#include "envs/spaces.h"
#include "tensor/generator.h"

namespace rein::rl {

struct ActorCriticSpec {
  int64_t obs_dim = 0;
  envs::Space action_space;  // Discrete or Box
  std::vector<int64_t> hidden = {64, 64};
  nn::Activation activation = nn::Activation::Tanh;
  bool shared = false;        // one trunk feeding both heads
  bool ortho_init = true;     // gains sqrt(2) hidden, 0.01 action head, 1 value head
  double log_std_init = 0.0;  // Box only
  // gSDE (Box only): log_std becomes (F, A), or (F, 1) without full_std; F = latent size.
  std::optional<distributions::StateDependentNoiseOptions> sde;
  // CnnPolicy: the (C, H, W) of the image rows (obs_dim = C H W); empty for an MlpPolicy.
  bool cnn = false;
  std::vector<int64_t> image;
  int64_t features_dim = 512;  // NatureCNN's output size
};

// Parameter names: "pi.0.weight" ... / "vf.0.weight" ... (or "trunk.*" when shared), "log_std",
// and "features_extractor.cnn.0.weight" ... with a CnnPolicy.
// Not thread-safe.
class ActorCritic : public nn::Module {
 public:
  ActorCritic(const ActorCriticSpec& spec, Generator& gen);

  // obs (B, obs_dim) float32 -> action head output (B, A) (logits or means) and values (B).
  std::pair<Var, Var> forward_both(const Var& obs);
  Var values(const Var& obs);  // (B)
  // The action head's output (B, A), the policy's latent features (B, F: the last hidden
  // layer's activations, the observations for a linear policy) and values (B), for gSDE.
  struct Outputs {
    Var head, latent, values;
  };
  Outputs forward_latent(const Var& obs);
  std::string name() const override { return "ActorCritic"; }
  // The trunks' input: NatureCNN features of the image rows, or the rows themselves.
  Var features(const Var& obs);

  bool continuous() const { return continuous_; }
  int64_t action_dim() const { return action_dim_; }  // number of logits or action dims
  const Var& log_std() const { return log_std_; }     // Box only: (A), or gSDE's (F, A|1)
  int64_t latent_dim() const { return latent_dim_; }  // F

 private:
  std::shared_ptr<nn::Module> cnn_;  // CnnPolicy only
  std::shared_ptr<nn::MLP> pi_, vf_, trunk_;
  std::shared_ptr<nn::Linear> pi_head_, vf_head_;  // shared trunk only
  Var log_std_;
  bool continuous_;
  int64_t action_dim_;
  int64_t latent_dim_;
  nn::Activation activation_;
};

// "64,64" -> {64, 64}; "" -> {} (linear policy). Throws rein::Error on a bad size.
std::vector<int64_t> parse_net_arch(const std::string& text);

}  // namespace rein::rl
