// A child process for the end-to-end remote tests: spawned with its stdout and stderr on one
// pipe, read line by line, and always killed (SIGKILL) and reaped when the handle goes away, so a
// failing test never leaves a server behind.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "envs/env.h"

extern char** environ;

namespace rein::envs::remote::testing {

// The python3 on PATH (plain Debian python3, standard library only), if any.
inline std::optional<std::string> find_python3() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate =
        std::filesystem::path(dirs.substr(start, end - start)) / "python3";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return std::nullopt;
}

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw Error("ChildProcess: pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      throw Error(str("ChildProcess: cannot start ", args[0]));
    }
    out_ = fdopen(fds[0], "r");
  }
  ~ChildProcess() {
    kill_now();
    if (out_ != nullptr) fclose(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of output (without the newline), or nullopt at end of output.
  std::optional<std::string> read_line() {
    std::string line;
    int c;
    while ((c = fgetc(out_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    if (c == EOF && line.empty()) return std::nullopt;
    seen_ += line + "\n";
    return line;
  }
  // Reads lines until one contains `text`; returns it, or throws with everything seen so far.
  std::string wait_for(const std::string& text) {
    while (auto line = read_line()) {
      if (line->find(text) != std::string::npos) return *line;
    }
    throw Error(str("ChildProcess: the output ended without '", text, "':\n", seen_));
  }
  // Everything until end of output, then the exit code (-signal when killed).
  int wait() {
    while (read_line()) {
    }
    return reap();
  }
  void kill_now() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      reap();
    }
  }
  const std::string& output() const { return seen_; }

 private:
  int reap() {
    if (pid_ <= 0) return status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return status_;
  }

  pid_t pid_ = 0;
  int status_ = -1;
  FILE* out_ = nullptr;
  std::string seen_;
};

// "serving X at remote://HOST:PORT" -> "remote://HOST:PORT".
inline std::string url_in(const std::string& line) {
  const size_t at = line.find("remote://");
  if (at == std::string::npos) throw Error(str("no remote:// url in '", line, "'"));
  const size_t end = line.find_first_of(" \r\n", at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace rein::envs::remote::testing
