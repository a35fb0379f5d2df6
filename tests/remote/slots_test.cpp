// Client slots and the server's own resources: silent clients are dropped by the handshake and
// idle timeouts, running out of file descriptors pauses the accept loop instead of spinning it,
// and the log is limited to 100 lines a second with the rest counted.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>

#include "envs/remote/remote_env.h"
#include "envs/remote/server.h"
#include "tests/remote/raw_client.h"

namespace rein::envs::remote {
namespace {

using testing::expect_serving;
using testing::hello;
using testing::Raw;
using testing::says;
using testing::url_of;

TEST(RemoteSlots, IdleClientsHoldingEverySlotAreDroppedAfterTheHandshakeTimeout) {
  Server server(
      ServerOptions{.env_id = "CartPole-v1", .handshake_timeout_ms = 500, .max_clients = 4});
  server.start();
  std::vector<std::unique_ptr<Raw>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<Raw>(server.port()));
    if (i % 2 == 1) {  // half a Hello: a started frame, which the frame timeout alone allows 10 s
      auto h = hello();
      h.resize(h.size() / 2);
      idle.back()->send(h);
    }
  }
  try {
    make_env(url_of(server.port()));
    FAIL() << "a fifth client got a slot";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::ServerFull);
  }
  for (auto& raw : idle) {
    const Frame f = raw->receive();  // blocks until the server drops it
    EXPECT_EQ(f.error.code, ErrorCode::Timeout);
    EXPECT_TRUE(says(f.error.message, "did not complete the handshake within 500 ms"))
        << f.error.message;
    EXPECT_TRUE(raw->closed_by_server());
  }
  expect_serving(server.port());
}

TEST(RemoteSlots, SilentSessionsAreDroppedAfterTheIdleTimeout) {
  // By default both waits are bounded: a client that connects and goes quiet frees its slot.
  EXPECT_GT(ServerOptions{}.handshake_timeout_ms, 0);
  EXPECT_GT(ServerOptions{}.idle_timeout_ms, 0);
  Server server(ServerOptions{.env_id = "CartPole-v1", .idle_timeout_ms = 300, .max_clients = 1});
  server.start();
  Raw raw(server.port());
  raw.handshake();
  const Frame f = raw.receive();  // after the Welcome, nothing is sent
  EXPECT_EQ(f.error.code, ErrorCode::Timeout);
  EXPECT_TRUE(says(f.error.message, "sent nothing for 300 ms (--idle-timeout-ms)"))
      << f.error.message;
  EXPECT_TRUE(raw.closed_by_server());
  expect_serving(server.port());  // the one slot is free again
}

// The child of the fd-limit test: a server whose descriptor limit leaves room for 3 clients.
// Its log goes to `log_fd` (lines are dropped rather than block when the pipe is full); it
// stops when `stop_fd` becomes readable or closes, and in any case after 60 s (alarm).
[[noreturn]] void serve_with_few_descriptors(int log_fd, int stop_fd) {
  alarm(60);
  fcntl(log_fd, F_SETFL, O_NONBLOCK);
  int64_t lines = 0;
  const auto write_line = [log_fd, &lines](const std::string& line) {
    ++lines;
    const std::string l = line + "\n";
    if (::write(log_fd, l.data(), l.size()) < 0) return;
  };
  int rc = 1;
  try {
    Server server(
        ServerOptions{.env_id = "CartPole-v1", .handshake_timeout_ms = 300, .log = write_line});
    // The limit below which exactly 3 descriptor numbers are free (descriptors open above it
    // stay usable).
    std::set<int> open;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      open.insert(std::stoi(entry.path().filename().string()));
    }
    rlim_t limit = 0;
    for (int free = 0; free < 3; ++limit) free += open.count(static_cast<int>(limit)) == 0 ? 1 : 0;
    const rlimit r{limit, limit};
    if (setrlimit(RLIMIT_NOFILE, &r) != 0) throw Error("setrlimit failed");
    write_line(str("port ", server.port()));
    server.start();
    char c;
    if (::read(stop_fd, &c, 1) < 0) c = 0;
    server.stop();
    const ServerStats s = server.stats();
    write_line(str("stats accepted ", s.accepted, " accept_failures ", s.accept_failures,
                   " log_lines ", lines + 1));
    rc = 0;
  } catch (const std::exception& e) {
    write_line(str("child failed: ", e.what()));
  }
  _exit(rc);
}

std::optional<std::string> read_line(FILE* f) {
  std::string line;
  int c;
  while ((c = std::fgetc(f)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (c == EOF && line.empty()) return std::nullopt;
  return line;
}

TEST(RemoteSlots, OutOfFileDescriptorsPausesAcceptsAndServesAgain) {
  int log_pipe[2], stop_pipe[2];
  ASSERT_EQ(pipe(log_pipe), 0);
  ASSERT_EQ(pipe(stop_pipe), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(log_pipe[0]);
    close(stop_pipe[1]);
    serve_with_few_descriptors(log_pipe[1], stop_pipe[0]);
  }
  close(log_pipe[1]);
  close(stop_pipe[0]);
  FILE* log = fdopen(log_pipe[0], "r");
  std::string seen;
  const auto wait_for = [&](const std::string& text) {
    while (auto line = read_line(log)) {
      seen += *line + "\n";
      if (says(*line, text)) return *line;
    }
    throw Error(str("the child's log ended without '", text, "':\n", seen));
  };
  const uint16_t port = static_cast<uint16_t>(std::stoi(wait_for("port ").substr(5)));

  // 8 silent clients for 3 free descriptors: the rest wait in the listen queue.
  std::vector<std::unique_ptr<Raw>> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(std::make_unique<Raw>(port));
  wait_for("accept failed: Too many open files");
  for (auto& raw : idle) {  // each is accepted once a descriptor frees up, then timed out
    const Frame f = raw->receive();
    EXPECT_EQ(f.error.code, ErrorCode::Timeout) << f.error.message;
  }
  idle.clear();
  expect_serving(port);  // a real client is served again

  if (::write(stop_pipe[1], "x", 1) != 1) ADD_FAILURE() << "cannot stop the child";
  close(stop_pipe[1]);
  int64_t failure_lines = 0;
  int64_t accept_failures = -1, log_lines = -1;
  while (auto line = read_line(log)) {
    seen += *line + "\n";
    if (says(*line, "accept failed")) ++failure_lines;
    // sscanf, not std::regex: g++ 12 warns (-Wmaybe-uninitialized) inside <regex> under ASan.
    const size_t at = line->find("accept_failures ");
    long long failures = 0, lines = 0;
    if (at != std::string::npos &&
        std::sscanf(line->c_str() + at, "accept_failures %lld log_lines %lld", &failures, &lines) ==
            2) {
      accept_failures = failures;
      log_lines = lines;
    }
  }
  fclose(log);
  int status = 0;
  rusage usage{};
  ASSERT_EQ(wait4(pid, &status, 0, &usage), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the server died (status " << status << "):\n"
      << seen;
  const double cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  RecordProperty("child_cpu_ms", static_cast<int>(cpu_s * 1000));
  RecordProperty("accept_failures", static_cast<int>(accept_failures));
  // Out of descriptors for most of a second: a loop that retried at once failed thousands of
  // times (and logged each); pausing fails a handful of times.
  EXPECT_GE(accept_failures, 1) << seen;
  EXPECT_LE(accept_failures, 40) << seen;
  EXPECT_LE(failure_lines, accept_failures);
  EXPECT_LE(log_lines, 100) << seen;
  std::printf("fd-limit child: %lld accept failures, %lld log lines, %.3f s CPU\n",
              static_cast<long long>(accept_failures), static_cast<long long>(log_lines), cpu_s);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(RemoteSlots, LogLinesAreLimitedToAHundredASecondAndTheRestCounted) {
  std::mutex mutex;
  std::vector<std::pair<int64_t, std::string>> lines;
  Server server(ServerOptions{.env_id = "CartPole-v1", .log = [&](const std::string& line) {
                                std::lock_guard lock(mutex);
                                lines.emplace_back(now_ms(), line);
                              }});
  server.start();
  constexpr int kClients = 300;
  for (int i = 0; i < kClients; ++i) {  // each logs 2 lines: its error and its close
    Raw raw(server.port());
    raw.send({0x05, 0x00, 0x00, 0x00, 0xEE, 0xDE, 0xAD, 0xBE, 0xEF});
    EXPECT_EQ(raw.receive().error.code, ErrorCode::MalformedFrame);
    EXPECT_TRUE(raw.closed_by_server());
  }
  server.stop();
  int64_t shown = 0, left_out = 0;
  std::vector<int64_t> times;
  for (const auto& [t, line] : lines) {
    long long count = 0, ms = 0;
    int end = 0;  // "N more log lines in T ms left out" at the start of the line
    if (std::isdigit(static_cast<unsigned char>(line[0])) &&
        std::sscanf(line.c_str(), "%lld more log lines in %lld ms left out%n", &count, &ms, &end) ==
            2 &&
        end > 0) {
      left_out += count;
    } else {
      ++shown;
      times.push_back(t);
    }
  }
  EXPECT_EQ(shown + left_out, 2 * kClients);  // every event is either shown or counted
  EXPECT_GT(left_out, 0);
  // Limited per second of logging: no 1000 ms span holds more than two seconds' worth.
  for (size_t i = 0, j = 0; i < times.size(); ++i) {
    while (times[j] <= times[i] - 1000) ++j;
    EXPECT_LE(static_cast<int64_t>(i - j + 1), 200) << "at line " << i;
  }
}

}  // namespace
}  // namespace rein::envs::remote
