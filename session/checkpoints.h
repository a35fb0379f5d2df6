// Finding the checkpoint a user means: a checkpoint file, or a run (name or id) in the tracker
// whose latest checkpoint artifact is taken. Shared by `rein eval`, resumed training
// (session::train) and library users.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rl/algorithm.h"
#include "rl/checkpoint.h"

namespace rein::session {

struct ResolvedCheckpoint {
  std::string path;
  std::string run_name;  // the run the checkpoint belongs to; empty when no run records it
  std::optional<std::int64_t> run_id;
  // The env plug-ins the run was trained with (its "plugin.N" params, in order), so `rein eval RUN`
  // and `--resume RUN` load them without --plugin; empty when no run records the checkpoint.
  std::vector<std::string> plugins{};
};

// A checkpoint file is looked up among the runs' checkpoint artifacts in `db` (when it exists),
// so `--resume FILE` also finds its run. Throws rein::Error: "eval: 'x' is neither a checkpoint
// file nor a run in rein.db (...)", or "run 'x' has no checkpoint".
ResolvedCheckpoint resolve_checkpoint(const std::string& checkpoint_or_run, const std::string& db);

// Loads `explicit_plugins` (--plugin) when given, else the plug-ins the run recorded. A recorded
// plug-in that is gone throws rein::Error naming it and the --plugin option.
void load_plugins(const std::vector<std::string>& explicit_plugins, const ResolvedCheckpoint& ck);

// The path to record for a --plugin argument: absolute when it names a file, so the run can be
// evaluated or resumed from another directory; a bare library name stays as given.
std::string plugin_record_path(const std::string& plugin);

// A trained agent to play, as `rein eval` and `rein record` load it: the checkpoint resolved,
// its plug-ins loaded (`plugins`, else the run's), and `env`, when not empty, replacing the
// env id it was trained on.
struct PlayableAgent {
  ResolvedCheckpoint checkpoint;
  rl::CheckpointInfo info;
  std::unique_ptr<rl::Agent> agent;
};
PlayableAgent load_playable_agent(const std::string& checkpoint_or_run, const std::string& db,
                                  const std::vector<std::string>& plugins, const std::string& env);

}  // namespace rein::session
