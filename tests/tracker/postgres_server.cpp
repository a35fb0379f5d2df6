// PostgresServer: the server's tools are run through /bin/sh, as "nobody" (setpriv) when this
// process is root.
#include "tests/tracker/postgres_server.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace rein::tracker::testing {

namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl.
std::string find_bin_dir() {
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl")) continue;
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version) {
      best_version = version;
      best = bin.string();
    }
  }
  return best;
}

// "'text'" for /bin/sh.
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

PostgresServer::PostgresServer() {
  bin_ = find_bin_dir();
  if (bin_.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql: install the "
        "Debian package 'postgresql' (scripts/install-deps.sh does)");
  }
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/rein-pg-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  dir_ = pattern;
  if (::geteuid() == 0) {
    const passwd* nobody = ::getpwnam("nobody");
    if (!nobody || ::chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
      throw std::runtime_error("cannot give " + dir_ + " to the user 'nobody' to run PostgreSQL");
    }
  }
  // The watchdog: a shell that waits for this process's end of the pipe to close (however this
  // process ends), then stops the server and removes the directory.
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  std::string cleanup = "cat >/dev/null; " +
                        (::geteuid() == 0 ? std::string("setpriv --reuid=nobody --regid=nogroup "
                                                        "--clear-groups ")
                                          : std::string()) +
                        shell_quoted(bin_ + "/pg_ctl") + " -D " + shell_quoted(dir_ + "/data") +
                        " stop -m immediate >/dev/null 2>&1; rm -rf " + shell_quoted(dir_);
  watchdog_ = ::fork();
  if (watchdog_ == 0) {
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    ::close(fds[1]);
    ::setsid();  // a Ctrl-C to the test's process group leaves the cleanup running
    ::execl("/bin/sh", "sh", "-c", cleanup.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  watchdog_pipe_ = fds[1];

  std::string log = dir_ + "/initdb.log";
  if (run("initdb", "-D " + shell_quoted(dir_ + "/data") +
                        " -U rein --auth=trust -E UTF8 --no-sync >" + shell_quoted(log) +
                        " 2>&1") != 0) {
    throw std::runtime_error("initdb failed:\n" + tail_of(log));
  }
  start();
}

PostgresServer::~PostgresServer() {
  if (running_)
    run("pg_ctl", "-D " + shell_quoted(dir_ + "/data") + " stop -m immediate >/dev/null 2>&1");
  if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);
  if (watchdog_ > 0) ::waitpid(watchdog_, nullptr, 0);
}

int PostgresServer::run(const std::string& tool, const std::string& args) const {
  std::string cmd = shell_quoted(bin_ + "/" + tool) + " " + args;
  if (::geteuid() == 0) cmd = "setpriv --reuid=nobody --regid=nogroup --clear-groups " + cmd;
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void PostgresServer::start() {
  // Only the Unix socket in dir_ (no TCP port to collide with another test binary); fsync off:
  // the tests kill clients, not the server's machine.
  std::string options = "-k " + dir_ + " -c listen_addresses='' -c fsync=off -c max_connections=60";
  std::string log = dir_ + "/server.log";
  if (run("pg_ctl", "-D " + shell_quoted(dir_ + "/data") + " -l " + shell_quoted(log) + " -o " +
                        shell_quoted(options) + " -w -t 60 start >/dev/null 2>&1") != 0) {
    throw std::runtime_error("pg_ctl start failed; server log:\n" + tail_of(log));
  }
  running_ = true;
}

void PostgresServer::stop() {
  run("pg_ctl", "-D " + shell_quoted(dir_ + "/data") + " -w stop -m fast >/dev/null 2>&1");
  running_ = false;
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://rein@/" + database + "?host=" + dir_;
}

std::string PostgresServer::create_database(const std::string& name) {
  PGconn* conn = PQconnectdb(url("postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, ("CREATE DATABASE \"" + name + "\"").c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  return url(name);
}

}  // namespace rein::tracker::testing
