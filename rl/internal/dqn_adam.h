// VectorAdam: torch.optim.Adam's update (same arithmetic and state names as optim::Adam) for
// float32 parameters, in a loop the compiler vectorises. optim::Adam's generic loop calls
// std::sqrt with errno semantics, which keeps g++ from vectorising it: perf put it at 54% of
// DQN CartPole training time (docs/PERFORMANCE.md). Until autograd's Adam gets the same fix,
// DQN uses this one. Checkpoint state ("step", "exp_avg.i", "exp_avg_sq.i") matches optim::Adam.
#pragma once

#include <string>
#include <vector>

#include "autograd/optim.h"

namespace rein::rl::internal {

// No weight decay (DQN uses none). Thread-safety: none.
class VectorAdam final : public optim::Optimizer {
 public:
  VectorAdam(std::vector<Var> params, double lr, double beta1 = 0.9, double beta2 = 0.999,
             double eps = 1e-8);
  void step() override;
  std::string name() const override { return "Adam"; }

 private:
  double beta1_, beta2_, eps_;
  std::vector<Tensor> exp_avg_;
  std::vector<Tensor> exp_avg_sq_;
};

}  // namespace rein::rl::internal
