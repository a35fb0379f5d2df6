// Uses the installed rein headers and every installed library; exits 0 when the results are right.
#include <iostream>

#include "autograd/var.h"
#include "envs/registry.h"
#include "envs/remote/remote_env.h"
#include "rl/algorithm.h"
#include "session/train.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"
#include "tracker/types.h"

int main() {
  rein::Tensor a = rein::tensor({{1, 2}, {3, 4}});
  rein::Tensor b = rein::matmul(a, rein::eye(2));
  double total = rein::sum(b).item();
  rein::Var v(rein::tensor({2.0}), true);
  auto env = rein::envs::make("CartPole-v1");
  const bool remote = rein::envs::remote::is_remote_id("remote://localhost:5555");
  const std::string algo = rein::rl::find_algorithm("ppo").name;
  const std::string status = rein::tracker::to_string(rein::tracker::RunStatus::Finished);
  const std::string count = rein::session::format_count(1234567);
  std::cout << "sum = " << total << ", " << env->spec()->id << ", " << algo << ", " << status
            << ", " << count << "\n";
  const bool ok = total == 10.0 && remote && algo == "ppo" && status == "finished" &&
                  count == "1,234,567" && v.requires_grad();
  return ok ? 0 : 1;
}
