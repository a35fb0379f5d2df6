// Child `rein` processes run side by side (train --seeds, sweep workers): each in its own process
// group, so a terminal's Ctrl-C reaches only the parent, which forwards one SIGINT to each child
// and lets it stop cleanly; each dies with SIGTERM if the parent dies first. Their output goes to
// a pipe the parent drains, keeping the last lines to show when one fails.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace rein::cli {

// Each process of --jobs / a sweep's `jobs` trains at full speed: more than 16 per core only
// thrash the machine (a spec's jobs = 1000000000 started processes until memory ran out).
inline constexpr int64_t kMaxJobsPerCore = 16;
// Throws rein::Error naming `what` (e.g. "sweep: jobs") unless 1 <= jobs <= 16 x cores.
void check_jobs(const char* what, int64_t jobs);

class ChildProcesses {
 public:
  struct Finished {
    int64_t id = 0;      // as given to start()
    int status = 0;      // exit code, or 128 + signal
    std::string output;  // the last lines it printed (stdout and stderr)
  };

  ChildProcesses() = default;
  // Interrupts (SIGINT) and waits for every child still running.
  ~ChildProcesses();
  ChildProcesses(const ChildProcesses&) = delete;
  ChildProcesses& operator=(const ChildProcesses&) = delete;

  // Starts this program (/proc/self/exe) with `args` (argv[0] excluded). Throws rein::Error if
  // the process cannot be created.
  void start(int64_t id, const std::vector<std::string>& args);
  size_t running() const { return children_.size(); }
  // Reads their output for up to `timeout_ms` and returns the children that ended meanwhile.
  std::vector<Finished> wait(int timeout_ms);
  // Sends SIGINT to every running child (once each; later calls do nothing for them).
  void interrupt();
  // Sends SIGINT to the running children started with `id` (once each).
  void interrupt(int64_t id);
  // Sends SIGUSR1 to the running children started with `id` (not interrupted): a `rein train
  // --pause-at` child waiting at a pause goes on.
  void resume(int64_t id);

 private:
  struct Child {
    int64_t id = 0;
    pid_t pid = 0;
    int fd = -1;                   // read end of its output pipe; -1 once at end of file
    std::string partial;           // output after the last newline
    std::deque<std::string> tail;  // last lines
    bool interrupted = false;
  };
  std::vector<Child> children_;
  static void read_output(Child& c);
};

}  // namespace rein::cli
