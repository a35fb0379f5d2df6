// The subcommand groups of the rein CLI; each adds itself to the app in its own file.
#pragma once

#include <cstdlib>
#include <string>

namespace CLI {
class App;
}

namespace rein::cli {

// The tracker database a command uses without --db: $REIN_DB when set, else ./rein.db.
inline std::string default_db() {
  const char* env = std::getenv("REIN_DB");
  return env && *env ? env : "rein.db";
}

// Each returns after registering its subcommand and callbacks on `app`. A callback that fails
// throws; main() prints "error: <message>" and exits non-zero.

void add_train_command(CLI::App& app);    // rein train ALGO ENV | --resume RUN
void add_eval_command(CLI::App& app);     // rein eval CHECKPOINT_OR_RUN
void add_record_command(CLI::App& app);   // rein record CHECKPOINT_OR_RUN -o FILE.mp4
void add_presets_command(CLI::App& app);  // rein presets list | show
void add_runs_command(CLI::App& app);     // rein runs list | show | compare | export | tag | rm ...
void add_dashboard_command(CLI::App& app);  // rein dashboard [--db FILE]: execs rein-dashboard
void add_envs_command(CLI::App& app);       // rein envs list | check ID | rollout ID
void add_sweep_command(CLI::App& app);      // rein sweep SPEC.toml | resume ID | show ID
// rein envs serve ENV: adds `serve` under the `envs` group (created by main if absent).
void add_envs_serve_command(CLI::App& envs_group);

}  // namespace rein::cli
