// resolve_checkpoint(): checkpoint file or tracker run -> checkpoint path.
#include "apps/cli/run_checkpoints.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tensor/error.h"
#include "tracker/store.h"

namespace rein::cli {

ResolvedCheckpoint resolve_checkpoint(const std::string& what, const std::string& db) {
  if (std::filesystem::is_regular_file(what)) {
    ResolvedCheckpoint out{what, "", std::nullopt};
    if (!std::filesystem::exists(db)) return out;
    try {  // finding the run is a courtesy: a file needs no database to be evaluated
      tracker::Store store(db, {.mode = tracker::OpenMode::ReadOnly});
      std::error_code ec;
      for (const tracker::RunInfo& run : store.list_runs()) {
        for (const tracker::Artifact& art : store.artifacts(run.id)) {
          if (art.kind == "checkpoint" && std::filesystem::equivalent(art.path, what, ec)) {
            out.run_name = run.name;
            out.run_id = run.id;
            return out;
          }
        }
      }
    } catch (const std::exception&) {
    }
    return out;
  }
  if (!std::filesystem::exists(db))
    throw Error(str("'", what, "' is neither a checkpoint file nor a run (no database ", db, ")"));
  tracker::Store store(db, {.mode = tracker::OpenMode::ReadOnly});
  tracker::RunInfo run;
  try {
    run = store.resolve_run(what);
  } catch (const std::exception& e) {
    throw Error(str("'", what, "' is neither a checkpoint file nor a run in ", db, " (", e.what(),
                    ")"));
  }
  std::optional<tracker::Artifact> best;
  for (const tracker::Artifact& art : store.artifacts(run.id)) {
    if (art.kind != "checkpoint" || !std::filesystem::exists(art.path)) continue;
    if (!best || art.step.value_or(-1) >= best->step.value_or(-1)) best = art;
  }
  if (!best) throw Error(str("run '", run.name, "' has no checkpoint file left"));
  return {best->path, run.name, run.id};
}

std::string process_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    if (first) arg = std::filesystem::path(arg).filename().string();
    if (arg.find_first_of(" \t\"'") != std::string::npos) arg = "'" + arg + "'";
    out += (first ? "" : " ") + arg;
    first = false;
    start = end + 1;
  }
  return out.empty() ? "rein" : out;
}

}  // namespace rein::cli
