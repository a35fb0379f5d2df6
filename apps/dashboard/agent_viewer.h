// The agent viewer: pick a selected run and one of its checkpoints, then play episodes of the
// run's env, drawn from the env's render primitives (envs/render.h), with play/pause/step,
// speed, episode return and step counter. Until checkpoints can be loaded (the PPO issue), the
// episodes use random actions; load_policy() is the seam where a trained policy plugs in.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/dashboard/view_model.h"
#include "envs/env.h"
#include "envs/render.h"
#include "tensor/generator.h"
#include "tracker/store.h"

namespace rein::dashboard {

// Chooses actions for the viewer. act() may return an Action viewing the policy's own buffers,
// valid until the next call.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string describe() const = 0;
  virtual envs::Action act(const Tensor& obs) = 0;
};

// Uniform samples from the env's action space.
class RandomPolicy : public Policy {
 public:
  RandomPolicy(const envs::Space& action_space, std::uint64_t seed);
  std::string describe() const override { return "random actions"; }
  envs::Action act(const Tensor& obs) override;

 private:
  envs::Space space_;
  Generator gen_;
  Tensor action_;
};

// A policy from a checkpoint file for `env`. Returns nullptr while rein cannot load checkpoints
// into policies yet (the viewer then falls back to random actions and says so).
std::unique_ptr<Policy> load_policy(const std::string& checkpoint_path, const envs::Env& env);

// Draws a DrawList (world coordinates, y up) into the screen rectangle [min, max] of `dl`,
// keeping the viewport's aspect ratio, centred.
void draw_env_frame(const envs::DrawList& frame, ImDrawList* dl, ImVec2 min, ImVec2 max);

class AgentViewer {
 public:
  void panel(const std::vector<const RunRow*>& runs, tracker::Store& store);
  bool playing() const { return playing_ && env_ != nullptr; }

 private:
  void open(const RunRow& run, const std::string& checkpoint);
  void reset_episode();
  void step_once();

  std::int64_t run_id_ = -1;
  std::string env_id_;
  std::string checkpoint_;  // "" = random actions
  std::string status_;      // what is loaded, or the error that stopped it
  std::unique_ptr<envs::Env> env_;
  std::unique_ptr<Policy> policy_;
  envs::DrawList frame_;
  Tensor obs_;
  bool playing_ = false;
  bool done_ = false;
  float speed_ = 1.0f;
  double carry_ = 0.0;  // fractional steps owed to the play clock
  double last_time_ = -1.0;
  std::int64_t steps_ = 0;
  std::int64_t episodes_ = 0;
  std::uint64_t next_seed_ = 0;
  double episode_return_ = 0.0;
  double last_return_ = 0.0;
};

}  // namespace rein::dashboard
