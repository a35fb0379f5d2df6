// Running the rein CLI in a child process for end-to-end tests: output captured, an optional
// file-size limit, and a signal sent when a line of output contains a trigger text.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace rein::test_support {

struct Output {
  int status;  // exit code, or 128 + signal
  std::string text;
};

struct ChildOptions {
  rlim_t file_size_limit = RLIM_INFINITY;      // RLIMIT_FSIZE of the child
  rlim_t address_space_limit = RLIM_INFINITY;  // RLIMIT_AS of the child (ulimit -v)
  const char* trigger = nullptr;               // send `signal` when a line contains this
  int signal = SIGTERM;
};

// Runs bin/rein with `args` in a child process (stdout and stderr captured).
inline Output rein_process(const std::vector<std::string>& args, const ChildOptions& o = {}) {
  const std::string bin = std::string(REIN_BINARY_DIR) + "/bin/rein";
  int fds[2];
  if (pipe(fds) != 0) return {-1, "pipe failed"};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    struct rlimit limit {
      o.file_size_limit, o.file_size_limit
    };
    setrlimit(RLIMIT_FSIZE, &limit);
    struct rlimit address_space {
      o.address_space_limit, o.address_space_limit
    };
    setrlimit(RLIMIT_AS, &address_space);
    signal(SIGXFSZ, SIG_DFL);  // what a shell gives: the default kills the process
    std::vector<char*> argv{const_cast<char*>("rein")};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  std::string text;
  char line[4096];
  bool sent = false;
  while (std::fgets(line, sizeof line, in)) {
    text += line;
    if (o.trigger && !sent && std::strstr(line, o.trigger)) {
      kill(pid, o.signal);
      sent = true;
    }
  }
  std::fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text};
}

// An empty directory under the build tree for one test.
inline std::filesystem::path fresh_test_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(REIN_BINARY_DIR) / "test-tmp" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace rein::test_support
