// Saving and restoring the shared checkpoint state of the policy-gradient agents
// (see rl/internal/agent_state.h).
#include "rl/internal/agent_state.h"

#include <nlohmann/json.hpp>

#include "rl/internal/state_reader.h"

namespace rein::rl::internal {

std::vector<std::pair<std::string, Tensor>> AgentState::tensors() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, t] : model.state_dict()) out.emplace_back("model." + name, t);
  for (auto& [name, t] : optimizer.state_dict()) out.emplace_back("optimizer." + name, t);
  if (exploration) {
    out.emplace_back("gsde.exploration_mat", exploration->single().value());
    out.emplace_back("gsde.exploration_matrices", exploration->batch().value());
  }
  return out;
}

std::string AgentState::json() const {
  nlohmann::json j;
  j["global_step"] = global_step;
  j["iteration"] = iteration;
  j["generator"] = gen.state_string();
  j["obs_rms"] = {
      {"mean", norm.obs_rms().mean}, {"var", norm.obs_rms().var}, {"count", norm.obs_rms().count}};
  j["ret_rms"] = {
      {"mean", norm.ret_rms().mean}, {"var", norm.ret_rms().var}, {"count", norm.ret_rms().count}};
  j["running_returns"] = norm.running_returns();
  if (exploration) j["gsde_batch"] = exploration->batch().size(0);
  return j.dump();
}

void AgentState::load(const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::string& json) const {
  StateReader r(what, json, tensors);
  r.only_tensors(exploration ? std::vector<std::string>{"model.", "optimizer.", "gsde."}
                             : std::vector<std::string>{"model.", "optimizer."});
  r.module("model.", model);
  r.optimizer("optimizer.", optimizer);
  global_step = r.integer("global_step", 0, kMaxCounter);
  iteration = r.integer("iteration", 0, kMaxCounter);
  r.generator("generator", gen);
  if (exploration) {
    const Tensor& single = exploration->single().value();
    const int64_t n = r.integer("gsde_batch", 1, int64_t{1} << 24);
    exploration->set(r.tensor("gsde.exploration_mat", single.dtype(), single.shape()),
                     r.tensor("gsde.exploration_matrices", single.dtype(),
                              Shape{n, single.size(0), single.size(1)}));
  }
  auto load_rms = [&](const char* key, envs::RunningMeanStd& rms) {
    const StateReader o = r.object(key);
    // Variances are >= 0 and the count > 0: normalising divides by sqrt(var + eps) and the
    // running update divides by the count.
    rms.mean = o.numbers("mean", rms.mean.size());
    rms.var = o.numbers("var", rms.var.size(), 0.0);
    rms.count = o.number("count", std::numeric_limits<double>::min());
  };
  load_rms("obs_rms", norm.obs_rms());
  load_rms("ret_rms", norm.ret_rms());
  // One running return per env: a checkpoint of another n_envs leaves them as they are.
  auto rr = r.numbers("running_returns", std::nullopt);
  if (rr.size() == norm.running_returns().size()) norm.running_returns() = rr;
}

}  // namespace rein::rl::internal
