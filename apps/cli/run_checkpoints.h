// Finding the checkpoint a user means: a checkpoint file, or a run (name or id) in the tracker
// whose latest "checkpoint" artifact is taken. Shared by `rein eval` and `rein train --resume`.
#pragma once

#include <string>

namespace rein::cli {

struct ResolvedCheckpoint {
  std::string path;
  std::string run_name;  // empty when given a file
};

// Throws rein::Error: "eval: 'x' is neither a checkpoint file nor a run in rein.db (...)", or
// "run 'x' has no checkpoint".
ResolvedCheckpoint resolve_checkpoint(const std::string& checkpoint_or_run, const std::string& db);

// This process's command line as typed ("rein train ppo CartPole-v1 --seed 3"), for the run record.
std::string process_command_line();

}  // namespace rein::cli
