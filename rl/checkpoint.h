// Training checkpoints: one safetensors file (autograd/checkpoint.h, written via a temporary
// file and a rename) holding the agent's tensors (weights, optimizer moments) and, in the header
// metadata, the algorithm, env, all resolved params and the agent's JSON state (step counters,
// normaliser statistics, generator state). Format: docs/algorithms/checkpoints.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "envs/env.h"
#include "rl/algorithm.h"
#include "rl/config.h"

namespace rein::rl {

inline constexpr const char* kCheckpointFormat = "rein-agent-checkpoint-1";

struct CheckpointInfo {
  std::string path;  // the file it was read from (named in load errors)
  std::string algorithm;
  std::string env_id;
  // Whether env_id was typed by the user (a caller replaced the saved one, e.g. rein eval
  // --env). Only then may it be a scheme id ("remote://HOST:PORT"): a file never decides where
  // rein connects.
  bool env_id_from_user = false;
  envs::Kwargs env_kwargs;
  std::vector<std::pair<std::string, std::string>> params;  // RunConfig + algorithm, resolved
  int64_t global_step = 0;
  std::string state_json;
  std::vector<std::pair<std::string, Tensor>> tensors;
  // The Trainer's own state (the update metrics averaged so far; JSON), "" in a checkpoint
  // written before it had any.
  std::string trainer_state_json;
};

// Writes `agent` (and `trainer_state_json`, when not empty) to `path` atomically. Throws
// rein::Error on I/O errors.
void save_agent_checkpoint(const std::string& path, const std::string& algorithm,
                           const std::string& env_id, const envs::Kwargs& env_kwargs,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           Agent& agent, const std::string& trainer_state_json = "");
// Reads a checkpoint; throws rein::Error naming the file if it is not a rein agent checkpoint.
CheckpointInfo read_agent_checkpoint(const std::string& path);
// Rebuilds the agent a checkpoint describes (same config, envs reset) and loads its state.
// `overrides` (e.g. total_timesteps for a longer resumed run) are applied over the saved params.
// Every saved value is checked before use (Agent::state, tensor/state_io.h); throws rein::Error
// "checkpoint '<path>': <what was wrong>" on one that is missing, mistyped or out of range, and
// on a scheme env id the user did not give (env_id_from_user).
std::unique_ptr<Agent> load_agent(const CheckpointInfo& checkpoint, const Settings& overrides = {});
// The agent a checkpoint describes, built only to act (AgentSetup::acting_only): its networks and
// normalisers, without the replay buffer training needs. Errors as load_agent.
std::unique_ptr<Agent> load_acting_agent(const CheckpointInfo& checkpoint);

}  // namespace rein::rl
