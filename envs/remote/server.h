// rein::envs::remote::Server serves any registered env over TCP (docs/REMOTE_ENVS.md): many
// clients at once on one event-loop thread, each with its own env instances. Bad input is
// answered with an Error frame and ends that one client's connection; everyone else goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "envs/env.h"
#include "envs/remote/protocol.h"

namespace rein::envs::remote {

struct ServerOptions {
  std::string env_id{};                 // any id make() knows (built-in or plug-in)
  Kwargs env_kwargs{};                  // passed to make() for every env
  std::string host = "127.0.0.1";       // loopback unless told otherwise: envs take any action
  uint16_t port = 0;                    // 0: an ephemeral port, see Server::port()
  uint32_t n_envs = 1;                  // envs per client whose Hello asks for 0
  uint32_t max_envs_per_client = 4096;  // bounds the memory one client can claim
  std::string token{};                  // "" accepts every client
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;  // larger incoming frames are refused
  // Timeouts in ms; 0 turns one off. A client that runs out of one gets an Error frame
  // (Timeout) and is disconnected, which frees its slot among max_clients.
  int64_t handshake_timeout_ms = 5000;  // from connecting until the Hello has arrived
  int64_t frame_timeout_ms = 10000;     // a started frame must arrive completely within this
  int64_t idle_timeout_ms = 300000;     // silence between frames after the handshake (longer
                                        // than a trainer's pause between rollouts)
  int64_t write_timeout_ms = 10000;     // a reply the client does not read in time ends it
  int64_t max_clients = 64;             // more connections are refused with ServerFull
  // One line per event (connections, errors, failed accepts), at most 100 a second: the rest
  // are counted in one line a second later. Called on the server's thread; may be empty.
  std::function<void(const std::string&)> log{};
};

struct ServerStats {
  int64_t accepted = 0;         // connections accepted (including refused ones)
  int64_t refused = 0;          // ServerFull
  int64_t active = 0;           // open sessions now
  int64_t errors = 0;           // Error frames sent
  int64_t steps = 0;            // Step frames answered
  int64_t accept_failures = 0;  // accept() errors (out of file descriptors, ...), each followed
                                // by a pause before the next try
};

// Thread-safety: port(), address(), stop() and stats() may be called from any thread.
class Server {
 public:
  // Makes one env to check the id and kwargs, then binds and listens. Throws rein::Error (an
  // unknown id, a port in use, a bad option).
  explicit Server(ServerOptions options);
  ~Server();  // stop(), then joins the thread of start()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:5555"
  const ServerOptions& options() const;

  void run();    // serves on the calling thread until stop()
  void start();  // serves on a background thread
  void stop();   // closes every connection; run() returns (start()'s thread is joined)
  ServerStats stats() const;

  struct Impl;  // opaque: the event loop and its sessions (server.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rein::envs::remote
