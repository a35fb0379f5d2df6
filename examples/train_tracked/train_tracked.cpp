// Train PPO on CartPole-v1 with the run tracked, as `rein train ppo CartPole-v1` does: the
// preset, the settings, checkpoints as artifacts and the final state all go into tracked.db,
// which `rein runs list --db tracked.db`, `rein eval RUN` and `rein dashboard` read.
#include <cstdio>

#include "session/train.h"

int main() {
  rein::session::TrainRequest request;
  request.algorithm = "ppo";
  request.env_id = "CartPole-v1";
  request.settings.set("total_timesteps", "20000", "example");
  request.settings.set("eval_episodes", "10", "example");
  request.db = "tracked.db";
  request.experiment = "examples";
  request.tags = {"example"};
  request.on_start = [](const rein::session::StartedRun& run) {
    std::printf("run %s: %s on %s\n", run.run_name.c_str(), run.algorithm.c_str(),
                run.env_id.c_str());
  };

  const rein::session::TrainResult result = rein::session::train(request);
  const double mean = result.train.final_eval->mean_return;
  std::printf("eval/mean_return %.1f; checkpoint %s\n", mean, result.train.last_checkpoint.c_str());
  return mean > 100 ? 0 : 1;  // CartPole's random policy scores about 22
}
