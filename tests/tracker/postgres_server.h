// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary directory,
// pg_ctl start on a Unix socket there (as the unprivileged user "nobody" when running as root,
// since PostgreSQL refuses to run as root), pg_ctl stop and removal afterwards. A watchdog
// process stops the server and removes the directory even when the test process is killed.
#pragma once

#include <sys/types.h>

#include <string>

namespace rein::tracker::testing {

class PostgresServer {
 public:
  // Starts the server; throws std::runtime_error saying what is missing or what failed (with
  // the server log's tail).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new empty database on this server; returns its URL (postgresql://rein@/NAME?host=DIR).
  std::string create_database(const std::string& name);
  std::string url(const std::string& database) const;
  // pg_ctl stop -m fast / start again on the same data directory and socket.
  void stop();
  void start();
  const std::string& dir() const { return dir_; }

 private:
  int run(const std::string& tool, const std::string& args) const;
  std::string bin_;  // /usr/lib/postgresql/<newest version>/bin
  std::string dir_;  // temporary directory: data/, the socket, server.log
  int watchdog_pipe_ = -1;
  pid_t watchdog_ = -1;
  bool running_ = false;
};

}  // namespace rein::tracker::testing
