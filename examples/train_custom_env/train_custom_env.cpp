// Train PPO on your own C++ env with every run tracked: the env is a class, and session::train
// trains it and puts metrics, checkpoints and the status into a rein database that
// `rein runs list`, `rein eval RUN` and `rein dashboard` read like any other run.
#include <iostream>

#include "envs/registry.h"
#include "session/train.h"

using namespace rein;

// Walk right along a corridor of 8 cells to the exit (+1); each step costs 0.01. obs: [position].
class Corridor final : public envs::Env {
 public:
  explicit Corridor(const envs::Kwargs&) {
    observation_space_ = envs::Box(0.0, 7.0, Shape{1});
    action_space_ = envs::Discrete(2);  // 0: left, 1: right
    obs_ = zeros(Shape{1});
  }
  envs::ResetResult reset(std::optional<uint64_t> seed, const envs::Kwargs&) override {
    seed_rng(seed);
    pos_ = 0;
    obs_.data<float>()[0] = 0.0f;
    return {obs_, info_};
  }
  envs::StepResult step(const envs::Action& action) override {
    pos_ = std::max(0, std::min(7, pos_ + (action.index() == 1 ? 1 : -1)));
    obs_.data<float>()[0] = static_cast<float>(pos_);
    return {obs_, pos_ == 7 ? 1.0 : -0.01, pos_ == 7, false, info_};
  }

 private:
  int pos_ = 0;
  Tensor obs_;
};

int main() {
  envs::register_env<Corridor>("Corridor-v0", {.max_episode_steps = 50});
  session::TrainRequest request;
  request.algorithm = "ppo";
  request.env_id = "Corridor-v0";
  for (const char* kv : {"total_timesteps=8192", "n_envs=4", "n_steps=128", "eval_episodes=5"})
    request.settings.set_assignment(kv, "example");
  request.db = "corridor.db";
  request.name = "corridor-ppo";  // `rein eval corridor-ppo --db corridor.db`
  request.checkpoint_dir = "corridor-checkpoints";
  const rl::TrainResult result = session::train(request).train;

  const double mean = result.final_eval->mean_return;
  std::cout << "eval/mean_return " << mean << " (the best possible is 0.94)\n";
  return mean > 0.9 ? 0 : 1;
}
