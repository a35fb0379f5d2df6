// ChildProcesses: fork/exec, pipes drained with poll(), SIGINT forwarded once.
#include "apps/cli/child_processes.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "base/error.h"

namespace rein::cli {
namespace {
constexpr size_t kTailLines = 30;
}  // namespace

ChildProcesses::~ChildProcesses() {
  interrupt();
  while (!children_.empty()) wait(200);
}

void check_jobs(const char* what, int64_t jobs) {
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (jobs < 1 || jobs > kMaxJobsPerCore * cores)
    throw Error(str(what, " must be 1 to ", kMaxJobsPerCore * cores, " (", kMaxJobsPerCore,
                    " per core on this machine's ", cores, "), got ", jobs,
                    "; each job is a training process, so more of them only share the cores"));
}

void ChildProcesses::start(int64_t id, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(str("cannot create a pipe: ", std::strerror(errno)));
  std::vector<char*> argv{const_cast<char*>("rein")};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw Error(str("cannot start a process: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(126);  // the parent died before prctl took effect
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  children_.push_back({id, pid, fds[0], {}, {}, false});
}

void ChildProcesses::read_output(Child& c) {
  char buf[8192];
  const ssize_t n = read(c.fd, buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    close(c.fd);
    c.fd = -1;
    if (!c.partial.empty()) c.tail.push_back(std::move(c.partial));
    c.partial.clear();
    return;
  }
  c.partial.append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = c.partial.find('\n')) != std::string::npos) {
    // A progress bar redraws with '\r': keep what the line last showed.
    std::string line = c.partial.substr(0, nl);
    if (size_t cr = line.rfind('\r'); cr != std::string::npos) line.erase(0, cr + 1);
    c.tail.push_back(std::move(line));
    c.partial.erase(0, nl + 1);
    while (c.tail.size() > kTailLines) c.tail.pop_front();
  }
}

std::vector<ChildProcesses::Finished> ChildProcesses::wait(int timeout_ms) {
  std::vector<pollfd> fds;
  for (const Child& c : children_)
    if (c.fd >= 0) fds.push_back({c.fd, POLLIN, 0});
  if (!fds.empty()) {
    if (poll(fds.data(), fds.size(), timeout_ms) > 0) {
      for (const pollfd& p : fds) {
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        for (Child& c : children_)
          if (c.fd == p.fd) read_output(c);
      }
    }
  } else if (!children_.empty()) {
    usleep(static_cast<useconds_t>(timeout_ms) * 1000);
  }
  std::vector<Finished> done;
  for (size_t i = 0; i < children_.size();) {
    Child& c = children_[i];
    int status = 0;
    // A child is finished once it exited and its pipe is drained.
    if (c.fd >= 0 || waitpid(c.pid, &status, WNOHANG) != c.pid) {
      ++i;
      continue;
    }
    Finished f{c.id, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), {}};
    for (const std::string& line : c.tail) f.output += line + "\n";
    done.push_back(std::move(f));
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return done;
}

void ChildProcesses::interrupt() {
  for (Child& c : children_) interrupt(c.id);
}

void ChildProcesses::interrupt(int64_t id) {
  for (Child& c : children_) {
    if (c.id != id || c.interrupted) continue;
    kill(c.pid, SIGINT);
    c.interrupted = true;
  }
}

void ChildProcesses::resume(int64_t id) {
  for (Child& c : children_)
    if (c.id == id && !c.interrupted) kill(c.pid, SIGUSR1);
}

}  // namespace rein::cli
