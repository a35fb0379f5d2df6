// Saving and restoring the shared checkpoint state of the policy-gradient agents
// (see rl/internal/agent_state.h).
#include "rl/internal/agent_state.h"

#include <nlohmann/json.hpp>

namespace rein::rl::internal {

std::vector<std::pair<std::string, Tensor>> AgentState::tensors() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, t] : model.state_dict()) out.emplace_back("model." + name, t);
  for (auto& [name, t] : optimizer.state_dict()) out.emplace_back("optimizer." + name, t);
  return out;
}

std::string AgentState::json() const {
  nlohmann::json j;
  j["global_step"] = global_step;
  j["iteration"] = iteration;
  j["generator"] = gen.state_string();
  j["obs_rms"] = {{"mean", norm.obs_rms().mean}, {"var", norm.obs_rms().var},
                  {"count", norm.obs_rms().count}};
  j["ret_rms"] = {{"mean", norm.ret_rms().mean}, {"var", norm.ret_rms().var},
                  {"count", norm.ret_rms().count}};
  j["running_returns"] = norm.running_returns();
  return j.dump();
}

void AgentState::load(const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::string& json) const {
  nn::NamedTensors model_state, optim_state;
  for (const auto& [name, t] : tensors) {
    if (name.rfind("model.", 0) == 0)
      model_state.emplace_back(name.substr(6), t);
    else if (name.rfind("optimizer.", 0) == 0)
      optim_state.emplace_back(name.substr(10), t);
    else
      throw Error(str(what, ": unexpected tensor '", name, "'"));
  }
  model.load_state_dict(model_state);
  optimizer.load_state_dict(optim_state);
  auto load_rms = [&](const nlohmann::json& o, envs::RunningMeanStd& rms) {
    auto mean = o.at("mean").get<std::vector<double>>();
    auto var = o.at("var").get<std::vector<double>>();
    if (mean.size() != rms.mean.size() || var.size() != rms.var.size())
      throw Error(str(what, ": normaliser size ", mean.size(), " does not match ",
                      rms.mean.size()));
    rms.mean = mean;
    rms.var = var;
    rms.count = o.at("count").get<double>();
  };
  try {
    nlohmann::json j = nlohmann::json::parse(json);
    global_step = j.at("global_step").get<int64_t>();
    iteration = j.at("iteration").get<int64_t>();
    gen.set_state_string(j.at("generator").get<std::string>());
    load_rms(j.at("obs_rms"), norm.obs_rms());
    load_rms(j.at("ret_rms"), norm.ret_rms());
    // One running return per env: a checkpoint of another n_envs leaves them as they are.
    auto rr = j.at("running_returns").get<std::vector<double>>();
    if (rr.size() == norm.running_returns().size()) norm.running_returns() = rr;
  } catch (const nlohmann::json::exception& e) {
    throw Error(str(what, ": bad state: ", e.what()));
  }
}

}  // namespace rein::rl::internal
