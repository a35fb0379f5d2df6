// The checkpoint state the policy-gradient agents (PPO, A2C, REINFORCE) save alike: tensors
// "model.<name>" and "optimizer.<name>", and a JSON object with the counters global_step and
// iteration, the generator state, and the VecNormalize statistics (obs_rms, ret_rms,
// running_returns); with gSDE also the exploration matrices ("gsde.exploration_mat" and
// "gsde.exploration_matrices", their count in "gsde_batch"). Agent::state_tensors / state_json /
// load_state forward here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autograd/distributions.h"
#include "autograd/module.h"
#include "autograd/optim.h"
#include "rl/blocks/vec_normalize.h"
#include "tensor/generator.h"

namespace rein::rl::internal {

// Borrows the agent's parts for one save or load; build it on the spot (agent.state()).
struct AgentState {
  const char* what;  // error prefix, e.g. "ppo checkpoint"
  nn::Module& model;
  optim::Optimizer& optimizer;
  Generator& gen;
  VecNormalize& norm;
  int64_t& global_step;
  int64_t& iteration;
  distributions::ExplorationMatrices* exploration = nullptr;  // gSDE only

  std::vector<std::pair<std::string, Tensor>> tensors() const;
  std::string json() const;
  // Restores what tensors() and json() saved, every value checked (internal/state_reader.h):
  // throws rein::Error "<what>: field 'obs_rms.var[2]' is -1, expected ..." and the like.
  void load(const std::vector<std::pair<std::string, Tensor>>& tensors,
            const std::string& json) const;
};

}  // namespace rein::rl::internal
