// Running the built `rein` binary from a test: its exit status and everything it printed.
#pragma once

#include <filesystem>
#include <string>

namespace rein::cli::testing {

struct Output {
  int status = 0;
  std::string text;  // stdout, then stderr unless `stderr_too` is false
};

// Runs `ENV <build>/bin/rein ARGS` through the shell; `env` is a list of NAME=VALUE assignments.
Output run_rein(const std::string& args, bool stderr_too = true, const std::string& env = "");

// Runs `command` through the shell; everything it wrote to standard output.
std::string shell_output(const std::string& command);

// An empty directory under the build tree for one test.
std::filesystem::path fresh_dir(const std::string& name);

}  // namespace rein::cli::testing
