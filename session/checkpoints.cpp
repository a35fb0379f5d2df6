// resolve_checkpoint(): checkpoint file or tracker run -> checkpoint path.
#include "session/checkpoints.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "base/error.h"
#include "envs/plugin.h"
#include "tracker/artifact_kinds.h"
#include "tracker/names.h"
#include "tracker/store.h"

namespace rein::session {

namespace {

std::vector<std::string> recorded_plugins(tracker::Store& store, std::int64_t run_id) {
  std::vector<std::pair<long, std::string>> found;
  for (const tracker::Param& p : store.params(run_id)) {
    if (p.key.rfind("plugin.", 0) != 0) continue;
    if (const auto* path = std::get_if<std::string>(&p.value)) {
      found.emplace_back(std::strtol(p.key.c_str() + 7, nullptr, 10), *path);
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [index, path] : found) out.push_back(std::move(path));
  return out;
}

}  // namespace

void load_plugins(const std::vector<std::string>& explicit_plugins, const ResolvedCheckpoint& ck) {
  if (!explicit_plugins.empty()) {
    for (const std::string& lib : explicit_plugins) envs::load_plugin(lib);
    return;
  }
  for (const std::string& lib : ck.plugins) {
    try {
      envs::load_plugin(lib);
    } catch (const std::exception& e) {
      throw Error(str("run '", ck.run_name, "' was trained with env plug-in '", lib,
                      "', which cannot be loaded now: ", e.what(),
                      " (pass --plugin PATH if it moved)"));
    }
  }
}

std::string plugin_record_path(const std::string& plugin) {
  if (plugin.find('/') == std::string::npos) return plugin;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(plugin, ec);
  return ec ? plugin : abs.lexically_normal().string();
}

ResolvedCheckpoint resolve_checkpoint(const std::string& what, const std::string& db) {
  if (std::filesystem::is_regular_file(what)) {
    ResolvedCheckpoint out{what, "", std::nullopt};
    if (!tracker::database_exists(db)) return out;
    try {  // finding the run is a courtesy: a file needs no database to be evaluated
      tracker::Store store(db, {.mode = tracker::OpenMode::ReadOnly});
      std::error_code ec;
      for (const tracker::RunInfo& run : store.list_runs()) {
        for (const tracker::Artifact& art : store.artifacts(run.id)) {
          if (art.kind == tracker::kCheckpointArtifact &&
              std::filesystem::equivalent(art.path, what, ec)) {
            out.run_name = run.name;
            out.run_id = run.id;
            out.plugins = recorded_plugins(store, run.id);
            return out;
          }
        }
      }
    } catch (const std::exception&) {
    }
    return out;
  }
  if (!tracker::database_exists(db))
    throw Error(str("'", what, "' is neither a checkpoint file nor a run (no database ", db, ")"));
  tracker::Store store(db, {.mode = tracker::OpenMode::ReadOnly});
  tracker::RunInfo run;
  try {
    run = store.resolve_run(what);
  } catch (const std::exception& e) {
    throw Error(
        str("'", what, "' is neither a checkpoint file nor a run in ", db, " (", e.what(), ")"));
  }
  std::optional<tracker::Artifact> best;
  for (const tracker::Artifact& art : store.artifacts(run.id)) {
    if (art.kind != tracker::kCheckpointArtifact || !std::filesystem::exists(art.path)) continue;
    if (!best || art.step.value_or(-1) >= best->step.value_or(-1)) best = art;
  }
  if (!best) throw Error(str("run '", run.name, "' has no checkpoint file left"));
  return {best->path, run.name, run.id, recorded_plugins(store, run.id)};
}

PlayableAgent load_playable_agent(const std::string& checkpoint_or_run, const std::string& db,
                                  const std::vector<std::string>& plugins, const std::string& env) {
  PlayableAgent p;
  p.checkpoint = resolve_checkpoint(checkpoint_or_run, db);
  load_plugins(plugins, p.checkpoint);
  p.info = rl::read_agent_checkpoint(p.checkpoint.path);
  if (!env.empty()) {
    p.info.env_id = env;
    p.info.env_id_from_user = true;
  }
  p.agent = rl::load_acting_agent(p.info);
  return p;
}

}  // namespace rein::session
