// The command line as a whole: suggestions for mistyped commands, completion scripts that bash
// really completes with, listings that fit a terminal, JSON from eval and presets, the preset ->
// --config round trip, and `rein dashboard` without a display.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/apps/cli_test_support.h"

namespace rein::cli::testing {
namespace {

namespace fs = std::filesystem;

TEST(CommandsCli, MistypedCommandsGetASuggestion) {
  Output top = run_rein("trian ppo CartPole-v1");
  EXPECT_EQ(top.status, 1);
  EXPECT_NE(top.text.find("error: unknown command 'trian' (did you mean 'train'?)"),
            std::string::npos)
      << top.text;
  Output nested = run_rein("runs lst");
  EXPECT_EQ(nested.status, 1);
  EXPECT_NE(nested.text.find("unknown command 'runs lst' (did you mean 'runs list'?)"),
            std::string::npos)
      << nested.text;
  // Arguments that are not command words still reach their command.
  EXPECT_EQ(run_rein("envs check CartPole-v1").status, 0);
}

// Sources the script in bash and asks it to complete, as the shell would on <TAB>.
std::string complete(const std::string& shell, const std::string& words) {
  const fs::path script = fresh_dir("completion_" + shell) / "rein.sh";
  {
    std::ofstream out(script);
    out << run_rein("completion " + shell, false).text;
  }
  std::istringstream in(words);
  std::string w, array;
  int n = 0;
  while (in >> w) {
    array += " '" + w + "'";
    ++n;
  }
  if (!words.empty() && words.back() == ' ') {
    array += " ''";
    ++n;
  }
  const std::string cmd =
      "bash -c \"compdef() { :; }; autoload() { :; }; bashcompinit() { :; }; source " +
      script.string() + "; COMP_WORDS=(" + array + "); COMP_CWORD=" + std::to_string(n - 1) +
      "; _rein; echo \\${COMPREPLY[@]}\"";
  return shell_output(cmd);
}

TEST(CommandsCli, CompletionScriptsCompleteCommandsAndOptions) {
  EXPECT_EQ(complete("bash", "rein tr"), "train\n");
  EXPECT_EQ(complete("bash", "rein runs l"), "list\n");
  // After a run name (not a command word) the command's options are still offered.
  EXPECT_NE(complete("bash", "rein runs show my-run --j").find("--json"), std::string::npos);
  EXPECT_NE(complete("bash", "rein train --res").find("--resume"), std::string::npos);
  EXPECT_EQ(complete("zsh", "rein runs l"), "list\n");  // zsh runs the same through bashcompinit
  Output bad = run_rein("completion fish");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.text.find("unknown shell 'fish' (expected bash or zsh)"), std::string::npos);
}

// Through `script`, so standard output is a terminal of COLUMNS columns.
std::vector<std::string> terminal_lines(const std::string& args, int columns) {
  const std::string cmd = "COLUMNS=" + std::to_string(columns) + " script -qec '" +
                          std::string(REIN_BINARY_DIR) + "/bin/rein " + args + "' /dev/null";
  const std::string out = shell_output(cmd);
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::size_t columns_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(CommandsCli, ListingsFitTheTerminalAndStayWholeInAPipe) {
  for (const char* cmd : {"presets list", "envs list"}) {
    const std::vector<std::string> lines = terminal_lines(cmd, 72);
    ASSERT_GT(lines.size(), 5u) << cmd;
    for (const std::string& line : lines) EXPECT_LE(columns_of(line), 72u) << cmd << ": " << line;
    Output piped = run_rein(cmd, false);
    std::size_t longest = 0;
    std::istringstream in(piped.text);
    for (std::string line; std::getline(in, line);) longest = std::max(longest, columns_of(line));
    EXPECT_GT(longest, 72u) << cmd << ": a pipe gets whole lines";
    EXPECT_EQ(piped.text.find("…"), std::string::npos) << cmd;
  }
}

// What `presets show` prints is a config file train reads back (before: "expected a comment or
// whitespace, saw '*'"), and a list field takes a TOML array.
TEST(CommandsCli, PresetShowRoundTripsThroughConfigAndListsAreArrays) {
  const fs::path dir = fresh_dir("config_round_trip");
  const std::string db = (dir / "runs.db").string();
  const std::string toml = (dir / "my.toml").string();
  ASSERT_EQ(run_rein("presets show ppo CartPole-v1 > " + toml, false).status, 0);
  {  // edit the list field as a user would: net_arch = [32, 16]
    std::ifstream in(toml);
    std::string text, line;
    while (std::getline(in, line)) {
      text += (line.rfind("net_arch", 0) == 0 ? "net_arch = [32, 16]" : line) + "\n";
    }
    in.close();
    std::ofstream(toml) << text;
  }
  Output train = run_rein("train ppo CartPole-v1 --config " + toml +
                          " --steps 256 --eval-episodes 1 --no-progress --name rt --db " + db);
  ASSERT_EQ(train.status, 0) << train.text;
  Output show = run_rein("runs show rt --json --db " + db, false);
  nlohmann::json run = nlohmann::json::parse(show.text);
  EXPECT_EQ(run["params"]["net_arch"], "32,16");
  EXPECT_EQ(run["params"]["batch_size"], 256);  // from the file: the preset's value
  EXPECT_EQ(run["params"]["gae_lambda"], 0.8);

  Output json = run_rein("presets show ppo CartPole-v1 --json", false);
  ASSERT_EQ(json.status, 0) << json.text;
  nlohmann::json p = nlohmann::json::parse(json.text);
  EXPECT_EQ(p["preset"], true);
  bool saw = false;
  for (const auto& s : p["settings"]) {
    if (s["key"] == "batch_size") {
      saw = true;
      EXPECT_EQ(s["value"], 256);
      EXPECT_EQ(s["from_preset"], true);
    }
  }
  EXPECT_TRUE(saw);
}

TEST(CommandsCli, EvalSpeaksJson) {
  const fs::path dir = fresh_dir("eval_json");
  const std::string db = (dir / "runs.db").string();
  ASSERT_EQ(run_rein("train ppo CartPole-v1 --steps 256 --eval-episodes 1 --no-progress --name e"
                     " --db " +
                     db)
                .status,
            0);
  Output out = run_rein("eval e --episodes 3 --json --db " + db, false);
  ASSERT_EQ(out.status, 0) << out.text;
  nlohmann::json j = nlohmann::json::parse(out.text);
  EXPECT_EQ(j["run"], "e");
  EXPECT_EQ(j["episodes"], 3);
  EXPECT_EQ(j["returns"].size(), 3u);
  EXPECT_EQ(j["global_step"], 256);
}

TEST(CommandsCli, DashboardWithoutADisplaySuggestsTheScreenshotRoute) {
  // A database that exists: a missing one is named first (RunsCli.CommandsOnAMissingDatabase...).
  const fs::path db = fresh_dir("dashboard_no_display") / "runs.db";
  std::ofstream(db) << "x";
  Output out = run_rein("dashboard --db " + db.string(), true, "env -u DISPLAY -u WAYLAND_DISPLAY");
  EXPECT_EQ(out.status, 1);
  // The binary may be absent in a build without the dashboard; then that is the message.
  if (out.text.find("not found") == std::string::npos) {
    EXPECT_NE(out.text.find("no display"), std::string::npos) << out.text;
    EXPECT_NE(out.text.find("--screenshot"), std::string::npos) << out.text;
  }
}

}  // namespace
}  // namespace rein::cli::testing
