// rein envs serve ENV: serves a registered env over TCP (docs/REMOTE_ENVS.md) until Ctrl-C.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <mutex>

#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "envs/plugin.h"
#include "envs/remote/server.h"

namespace rein::cli {
namespace {

struct ServeArgs {
  envs::remote::ServerOptions server;
  std::vector<std::string> env_args;
  std::vector<std::string> plugins;
  bool quiet = false;
};

void run_serve(ServeArgs& a) {
  for (const auto& p : a.plugins) envs::load_plugin(p);
  a.server.env_kwargs = parse_env_args(a.env_args);
  std::mutex log_mutex;
  if (!a.quiet) {
    a.server.log = [&log_mutex](const std::string& line) {
      std::lock_guard lock(log_mutex);
      std::cerr << "serve: " << line << "\n";
    };
  }
  // SIGINT/SIGTERM are blocked before the server thread starts (it inherits the mask) and
  // taken here with sigwait, so that Ctrl-C stops the server cleanly instead of killing it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  envs::remote::Server server(a.server);
  server.start();
  std::cout << "serving " << a.server.env_id << " (" << a.server.n_envs
            << " env(s) per client) at remote://" << server.address() << "\n"
            << std::flush;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.stop();
  const auto s = server.stats();
  std::cout << "stopped: " << s.accepted << " connection(s), " << s.steps << " step frame(s), "
            << s.errors << " error(s)";
  if (s.accept_failures > 0) std::cout << ", " << s.accept_failures << " failed accept(s)";
  std::cout << "\n";
}

}  // namespace

void add_envs_serve_command(CLI::App& envs_group) {
  auto a = std::make_shared<ServeArgs>();
  envs::remote::ServerOptions& o = a->server;
  o.port = 5555;
  CLI::App* cmd = envs_group.add_subcommand(
      "serve",
      "serve a registered env over TCP, for remote://HOST:PORT env ids (see docs/REMOTE_ENVS.md)");
  cmd->add_option("ENV", o.env_id, "env id, e.g. CartPole-v1")->required();
  cmd->add_option("--host", o.host, "address to bind (0.0.0.0 exposes the env to the network)")
      ->capture_default_str();
  cmd->add_option("--port", o.port, "TCP port; 0 picks a free one")->capture_default_str();
  cmd->add_option("--n-envs", o.n_envs, "envs per client when the client does not say")
      ->capture_default_str();
  cmd->add_option("--token", o.token, "shared secret clients must send (kwarg token=...)");
  cmd->add_option("--env-arg", a->env_args, "env constructor argument key=value (repeatable)");
  cmd->add_option("--plugin", a->plugins, "load env plug-ins (shared libraries) first");
  cmd->add_option("--max-clients", o.max_clients, "concurrent clients")->capture_default_str();
  cmd->add_option("--max-envs-per-client", o.max_envs_per_client, "envs one client may ask for")
      ->capture_default_str();
  cmd->add_option("--max-frame-bytes", o.max_frame_bytes,
                  "largest frame accepted (before the handshake: 4096 bytes; a Reset: 64 KiB)")
      ->capture_default_str();
  cmd->add_option("--handshake-timeout-ms", o.handshake_timeout_ms,
                  "a client must have sent its Hello this long after connecting; 0: no limit")
      ->capture_default_str();
  cmd->add_option("--frame-timeout-ms", o.frame_timeout_ms,
                  "a started frame must arrive completely within this; 0: no limit")
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", o.idle_timeout_ms,
                  "silence allowed between a client's frames after the handshake; 0: no limit")
      ->capture_default_str();
  cmd->add_option("--write-timeout-ms", o.write_timeout_ms,
                  "a client must read its reply within this; 0: no limit")
      ->capture_default_str();
  cmd->add_flag("--quiet", a->quiet,
                "no line per connection and error on stderr (otherwise at most 100 a second)");
  cmd->callback([a] { run_serve(*a); });
}

}  // namespace rein::cli
