// Runs the built `rein` binary for the CLI tests.
#include "tests/apps/cli_test_support.h"

#include <sys/wait.h>

#include <cstdio>

namespace rein::cli::testing {

std::string shell_output(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

Output run_rein(const std::string& args, bool stderr_too, const std::string& env) {
  const std::string cmd = env + " " + std::string(REIN_BINARY_DIR) + "/bin/rein " + args +
                          (stderr_too ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  Output out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  const int status = pclose(p);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return out;
}

std::filesystem::path fresh_dir(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(REIN_BINARY_DIR) / "test-tmp" / "cli" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace rein::cli::testing
