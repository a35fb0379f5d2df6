// Shared helpers of the A2C and REINFORCE agents (see rl/internal/on_policy.h).
#include "rl/internal/on_policy.h"

#include <algorithm>
#include <cmath>

#include "envs/wrappers.h"

namespace rein::rl::internal {

std::unique_ptr<envs::VectorEnv> make_train_envs(const AgentSetup& setup) {
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
}

bool all_finite(const float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

void clamp_rows(float* actions, int64_t rows, const std::vector<double>& low,
                const std::vector<double>& high) {
  const int64_t A = static_cast<int64_t>(low.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < A; ++j) {
      float& x = actions[r * A + j];
      x = static_cast<float>(std::clamp<double>(x, low[static_cast<size_t>(j)],
                                                high[static_cast<size_t>(j)]));
    }
}

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
  if (max_norm <= 0) return total;
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0)
    for (const Var& p : params)
      if (p.grad().defined()) {
        Tensor g = p.grad();
        g.mul_(coef);
      }
  return total;
}

void save_normalizer(VecNormalize& norm, nlohmann::json& j) {
  j["obs_rms"] = {{"mean", norm.obs_rms().mean}, {"var", norm.obs_rms().var},
                  {"count", norm.obs_rms().count}};
  j["ret_rms"] = {{"mean", norm.ret_rms().mean}, {"var", norm.ret_rms().var},
                  {"count", norm.ret_rms().count}};
  j["running_returns"] = norm.running_returns();
}

void load_normalizer(const nlohmann::json& j, VecNormalize& norm, const char* what) {
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
  load_rms(j.at("obs_rms"), norm.obs_rms());
  load_rms(j.at("ret_rms"), norm.ret_rms());
  auto rr = j.at("running_returns").get<std::vector<double>>();
  if (rr.size() == norm.running_returns().size()) norm.running_returns() = rr;
}

}  // namespace rein::rl::internal
