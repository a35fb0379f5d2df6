// rein dashboard [--db FILE]: replaces this process with the rein-dashboard binary installed
// next to the rein executable (the CLI does not link ImGui, GLFW or OpenGL).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "tracker/names.h"

namespace rein::cli {

namespace {

struct DashboardArgs {
  std::string db = default_db();
  std::vector<std::string> runs;
  std::vector<std::string> metrics;
  std::string group_by;
  std::string sweep;
};

std::filesystem::path dashboard_binary() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("dashboard: cannot locate the rein executable: " + ec.message());
  return self.parent_path() / "rein-dashboard";
}

void exec_dashboard(const DashboardArgs& a) {
  // The user's own input first: a mistyped --db is named whatever else is missing.
  if (!tracker::database_exists(a.db)) {
    throw std::runtime_error("dashboard: no database '" + a.db +
                             "' (train a run first, or pass --db FILE)");
  }
  const std::filesystem::path bin = dashboard_binary();
  if (!std::filesystem::exists(bin)) {
    throw std::runtime_error("dashboard: '" + bin.string() +
                             "' not found (configure with -DREIN_BUILD_DASHBOARD=ON and build "
                             "the rein-dashboard target)");
  }
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((display == nullptr || *display == '\0') && (wayland == nullptr || *wayland == '\0')) {
    throw std::runtime_error(
        "dashboard: no display (DISPLAY and WAYLAND_DISPLAY are not set). On a server, render "
        "it to a PNG under a virtual X server: xvfb-run -a " +
        bin.string() + " --screenshot dashboard.png --db " + a.db +
        " (package xvfb), or connect with ssh -X");
  }
  std::vector<std::string> args = {bin.string(), "--db", a.db};
  if (!a.runs.empty()) {
    std::string joined;
    for (const std::string& r : a.runs) joined += (joined.empty() ? "" : ",") + r;
    args.insert(args.end(), {"--runs", joined});
  }
  for (const std::string& m : a.metrics) args.insert(args.end(), {"--metric", m});
  if (!a.group_by.empty()) args.insert(args.end(), {"--group-by", a.group_by});
  if (!a.sweep.empty()) args.insert(args.end(), {"--view", "sweep", "--sweep", a.sweep});
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  ::execv(bin.c_str(), argv.data());
  throw std::runtime_error("dashboard: cannot start '" + bin.string() +
                           "': " + std::strerror(errno));
}

}  // namespace

void add_dashboard_command(CLI::App& app) {
  auto args = std::make_shared<DashboardArgs>();
  CLI::App* cmd = app.add_subcommand("dashboard", "open the desktop dashboard on a database");
  cmd->add_option("--db", args->db, "tracker database: a file or a postgresql:// URL")
      ->capture_default_str();
  cmd->add_option("--runs", args->runs, "runs to select, by name or id")->delimiter(',');
  cmd->add_option("--metric", args->metrics, "metric to chart (repeatable)");
  cmd->add_option("--group-by", args->group_by,
                  "algorithm+env (default), seed, none, algorithm, env, a param key, or keys "
                  "joined by +");
  cmd->add_option("--sweep", args->sweep,
                  "open the Sweep tab on this sweep (id or name; see rein sweep show)");
  cmd->callback([args] { exec_dashboard(*args); });
}

}  // namespace rein::cli
