// Agent checkpoints in safetensors with JSON metadata.
#include "rl/checkpoint.h"

#include <map>
#include <nlohmann/json.hpp>

#include "autograd/checkpoint.h"
#include "rl/run_config.h"

namespace rein::rl {
namespace {

nlohmann::json pairs_to_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
  // [[key, value], ...]: keeps the declaration order that an object would lose.
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : pairs) rows.push_back({k, v});
  return nlohmann::json(rows);
}

}  // namespace

void save_agent_checkpoint(const std::string& path, const std::string& algorithm,
                           const std::string& env_id, const envs::Kwargs& env_kwargs,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           Agent& agent, const std::string& trainer_state_json) {
  Metadata meta;
  meta["format"] = kCheckpointFormat;
  meta["algorithm"] = algorithm;
  meta["env_id"] = env_id;
  meta["env_kwargs"] =
      nlohmann::json(std::map<std::string, std::string>(env_kwargs.begin(), env_kwargs.end()))
          .dump();
  meta["params"] = pairs_to_json(params).dump();
  meta["global_step"] = std::to_string(agent.global_step());
  StateIO state(agent.state_name());
  agent.state(state);
  meta["state"] = state.json();
  if (!trainer_state_json.empty()) meta["trainer_state"] = trainer_state_json;
  save_safetensors(path, state.tensors(), meta);
}

CheckpointInfo read_agent_checkpoint(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  auto get = [&](const char* key) -> const std::string& {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end())
      throw Error(str("checkpoint '", path, "': not a rein agent checkpoint (no '", key,
                      "' in the metadata)"));
    return it->second;
  };
  if (get("format") != kCheckpointFormat)
    throw Error(
        str("checkpoint '", path, "': format '", get("format"), "' is not ", kCheckpointFormat));
  CheckpointInfo info;
  info.path = path;
  info.algorithm = get("algorithm");
  info.env_id = get("env_id");
  try {
    auto kwargs =
        nlohmann::json::parse(get("env_kwargs")).get<std::map<std::string, std::string>>();
    info.env_kwargs.insert(kwargs.begin(), kwargs.end());
    auto rows = nlohmann::json::parse(get("params")).get<std::vector<std::vector<std::string>>>();
    for (const auto& row : rows) {
      if (row.size() != 2) throw Error("params rows must be [key, value]");
      info.params.emplace_back(row[0], row[1]);
    }
    info.global_step = std::stoll(get("global_step"));
  } catch (const std::exception& e) {
    throw Error(str("checkpoint '", path, "': bad metadata: ", e.what()));
  }
  info.state_json = get("state");
  if (auto it = file.metadata.find("trainer_state"); it != file.metadata.end())
    info.trainer_state_json = it->second;
  info.tensors = std::move(file.tensors);
  return info;
}

namespace {

std::unique_ptr<Agent> load(const CheckpointInfo& checkpoint, const Settings& overrides,
                            bool acting_only) {
  try {
    if (checkpoint.env_id.find("://") != std::string::npos && !checkpoint.env_id_from_user)
      throw Error(str("it was trained on '", checkpoint.env_id, "'; rein does not connect to an ",
                      "address read from a file: name the env yourself (rein eval --env ",
                      checkpoint.env_id, ", or rein train ALGO ", checkpoint.env_id,
                      " --resume ...) if you trust it"));
    AlgorithmInfo algo = find_algorithm(checkpoint.algorithm);
    Settings settings;
    for (const auto& [k, v] : checkpoint.params) settings.set(k, v, "checkpoint");
    settings.merge(overrides);
    AgentSetup setup{checkpoint.env_id, checkpoint.env_kwargs, {}};
    setup.acting_only = acting_only;
    auto run_fields = setup.run.fields();
    settings.apply(run_fields);
    setup.run.validate();
    std::unique_ptr<Agent> agent = algo.make(setup, settings);
    agent->load_state(checkpoint.tensors, checkpoint.state_json);
    return agent;
  } catch (const Error& e) {
    throw Error(str("checkpoint '", checkpoint.path, "': ", e.what()));
  }
}

}  // namespace

std::unique_ptr<Agent> load_agent(const CheckpointInfo& checkpoint, const Settings& overrides) {
  return load(checkpoint, overrides, false);
}

std::unique_ptr<Agent> load_acting_agent(const CheckpointInfo& checkpoint) {
  return load(checkpoint, {}, true);
}

}  // namespace rein::rl
