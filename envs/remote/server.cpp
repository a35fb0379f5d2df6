// The remote-env server: an Asio event loop with one Session per client (see server.h). Each
// session reads a frame, answers it, and reads the next; deadlines are checked by one sweeping
// timer instead of a timer per frame, which keeps the step path free of timer system calls.
#include "envs/remote/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "envs/registry.h"
#include "envs/remote/internal/env_group.h"
#include "envs/remote/internal/receive_buffer.h"

namespace rein::envs::remote {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// A session's read buffer to start with: a Hello of the largest size allowed fits. Larger
// frames (after the handshake) grow it as their bytes arrive.
constexpr size_t kReadBufferBytes = kMaxHandshakeFrameBytes + kLengthBytes;
// Pauses after a failed accept: the first, and the longest after doubling.
constexpr int64_t kAcceptPauseMinMs = 10;
constexpr int64_t kAcceptPauseMaxMs = 1000;
constexpr int64_t kLogLinesPerSecond = 100;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string endpoint_text(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  return addr.is_v6() ? str("[", addr.to_string(), "]:", ep.port())
                      : str(addr.to_string(), ":", ep.port());
}

// True when the server has no token or `given` equals it. Compares every byte whatever the
// first difference, so that timing does not reveal how much of a guess was right.
bool same_token(std::string_view given, std::string_view expected) {
  if (expected.empty()) return true;
  unsigned diff = given.size() == expected.size() ? 0u : 1u;
  for (size_t i = 0; i < expected.size(); ++i) {
    const char g = i < given.size() ? given[i] : '\0';
    diff |= static_cast<unsigned char>(g ^ expected[i]);
  }
  return diff == 0;
}

class Session;

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o) : opt(std::move(o)) {}

  void log(const std::string& line);
  void flush_log(int64_t now, bool force = false);
  void accept();
  void accept_failed(const error_code& ec);
  void slot_freed();
  void sweep();
  void close_all(const char* reason);

  ServerOptions opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer sweeper{io};
  int64_t sweep_ms = 250;
  asio::steady_timer accept_pause{io};
  int64_t accept_pause_ms = 0;  // the last pause after a failed accept; 0 after a success
  bool accept_paused = false;
  int64_t log_window_ms = 0;                    // when the current second of logging began
  int64_t log_lines = 0, log_left_out = 0;      // in that second
  std::set<std::shared_ptr<Session>> sessions;  // touched on the io thread only
  std::thread thread;
  std::atomic<uint16_t> port{0};
  std::atomic<int64_t> accepted{0}, refused{0}, active{0}, errors{0}, steps{0}, accept_failures{0};
  std::atomic<bool> stopped{false};
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket, std::string peer)
      : server_(server), socket_(std::move(socket)), peer_(std::move(peer)) {}

  void start() {
    error_code ignored;
    socket_.non_blocking(true, ignored);  // reply() tries a direct send first
    const int64_t t = server_.opt.handshake_timeout_ms;
    handshake_deadline_ = t > 0 ? now_ms() + t : 0;
    read_frame();
  }

  // Called by the sweeper: ends a session whose handshake, frame or reply is overdue.
  void check_deadline(int64_t now) {
    if (closed_) return;
    const ServerOptions& o = server_.opt;
    std::string what;
    if (!group_ && handshake_deadline_ != 0 && now >= handshake_deadline_) {
      what = str("did not complete the handshake within ", o.handshake_timeout_ms,
                 " ms (--handshake-timeout-ms)");
    } else if (deadline_ != 0 && now >= deadline_) {
      what = phase_ == Phase::Writing
                 ? str("did not read its reply within ", o.write_timeout_ms, " ms")
             : phase_ == Phase::Reading
                 ? str("stalled in the middle of a frame for ", o.frame_timeout_ms, " ms")
                 : str("sent nothing for ", o.idle_timeout_ms, " ms (--idle-timeout-ms)");
    } else {
      return;
    }
    const std::string msg = str("remote server: client ", peer_, " ", what);
    if (phase_ != Phase::Writing) send_now(ErrorCode::Timeout, msg);
    close(msg);
  }

  void close(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    server_.log(str("client ", peer_, " closed: ", reason));
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    server_.active.fetch_sub(1);
    server_.sessions.erase(shared_from_this());
    server_.slot_freed();
  }

  // Best effort, without waiting: an Error frame to a client we are about to drop.
  void send_now(ErrorCode code, const std::string& message) {
    out_.clear();
    encode_error(ErrorFrame{code, message}, out_);
    error_code ignored;
    socket_.non_blocking(true, ignored);
    socket_.send(asio::buffer(out_), 0, ignored);
    server_.errors.fetch_add(1);
  }

 private:
  enum class Phase { Idle, Reading, Writing };

  void set_deadline(Phase phase, int64_t timeout_ms) {
    phase_ = phase;
    deadline_ = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
  }

  void read_frame() {
    // Before the handshake, the handshake deadline (from start()) is the idle allowance.
    set_deadline(Phase::Idle, group_ ? server_.opt.idle_timeout_ms : 0);
    if (in_.unread_size() > 0) set_deadline(Phase::Reading, server_.opt.frame_timeout_ms);
    if (!take_frame()) read_more();
  }

  // Handles the frame at the front of the read buffer if it is all there. Reads are buffered so
  // that a frame's length prefix and body usually arrive in one recv. A frame is refused from
  // its length prefix and type byte when those suffice (check_frame_start), before its body is
  // received, so a hostile frame costs the server neither memory nor decoding time.
  bool take_frame() {
    const std::span<const uint8_t> have = in_.unread();
    if (have.size() < kLengthBytes + 1) {
      need_ = kLengthBytes + 1;
      if (have.size() < kLengthBytes) return false;
    }
    uint32_t length = 0;
    try {
      length = decode_length(std::span<const uint8_t, kLengthBytes>(have.data(), kLengthBytes),
                             server_.opt.max_frame_bytes);
      if (have.size() == kLengthBytes) return false;
      check_frame_start(have[kLengthBytes], length, Peer::Client,
                        group_ ? &group_->layout() : nullptr);
    } catch (const ProtocolError& e) {
      fatal(e.code(), e.what());
      return true;
    }
    if (have.size() < kLengthBytes + length) {
      need_ = kLengthBytes + length;
      return false;
    }
    // The bytes stay in place until the next read_more(), after handle() has decoded them.
    in_.consume(kLengthBytes + length);
    handle(have.subspan(kLengthBytes, length));
    return true;
  }

  void read_more() {
    const std::span<uint8_t> space = in_.space(need_);
    socket_.async_read_some(
        asio::buffer(space.data(), space.size()),
        [self = shared_from_this()](const error_code& ec, size_t n) { self->on_read(ec, n); });
  }

  void on_read(const error_code& ec, size_t n) {
    if (closed_) return;
    if (ec) {
      close(in_.unread_size() == 0 && ec == asio::error::eof
                ? std::string("client disconnected")
                : str("connection lost in the middle of a frame (", ec.message(), ")"));
      return;
    }
    in_.commit(n);
    if (phase_ == Phase::Idle) set_deadline(Phase::Reading, server_.opt.frame_timeout_ms);
    if (!take_frame()) read_more();
  }

  void handle(std::span<const uint8_t> bytes) {
    need_ = 0;
    FrameType type;
    try {
      type = decode_frame(bytes, group_ ? &group_->layout() : nullptr, frame_);
    } catch (const ProtocolError& e) {
      fatal(e.code(), e.what());
      return;
    }
    out_.clear();
    switch (type) {  // check_frame_start() let only a client's frames, in their phase, through
      case FrameType::Hello:
        return hello();
      case FrameType::Reset:
        try {
          encode_reset_result(group_->layout(), group_->reset(frame_.reset), out_);
        } catch (const std::exception& e) {
          return env_error("reset", e.what());
        }
        return reply(false);
      case FrameType::Step:
        try {
          encode_step_result(group_->layout(), group_->step(frame_.actions), out_);
        } catch (const std::exception& e) {
          return env_error("step", e.what());
        }
        server_.steps.fetch_add(1, std::memory_order_relaxed);
        return reply(false);
      case FrameType::Close:
        return close("client said goodbye");
      case FrameType::Error:
        return close(str("client reported ", error_code_name(frame_.error.code), ": ",
                         frame_.error.message));
      default:
        return fatal(ErrorCode::UnexpectedFrame, str("remote server: a client may not send ",
                                                     frame_type_name(type), " frames"));
    }
  }

  void hello() {
    const Hello& h = frame_.hello;
    if (h.version != kProtocolVersion) {
      return fatal(ErrorCode::VersionMismatch,
                   str("remote server: client speaks protocol version ", h.version,
                       ", this server version ", kProtocolVersion));
    }
    if (!same_token(h.token, server_.opt.token)) {
      return fatal(ErrorCode::Unauthorized,
                   h.token.empty() ? "remote server: this server needs a token (pass token=...)"
                                   : "remote server: wrong token");
    }
    const uint32_t n = h.num_envs == 0 ? server_.opt.n_envs : h.num_envs;
    if (n > server_.opt.max_envs_per_client) {
      return fatal(ErrorCode::BadRequest,
                   str("remote server: ", n, " envs asked for, at most ",
                       server_.opt.max_envs_per_client, " per client (--max-envs-per-client)"));
    }
    try {
      std::vector<std::unique_ptr<Env>> envs;
      for (uint32_t i = 0; i < n; ++i)
        envs.push_back(make(server_.opt.env_id, server_.opt.env_kwargs));
      group_ = std::make_unique<internal::EnvGroup>(std::move(envs), h.autoreset);
    } catch (const std::exception& e) {
      return fatal(ErrorCode::EnvError, str("remote server: cannot make the envs: ", e.what()));
    }
    server_.log(str("client ", peer_, " connected: ", n, " x ", server_.opt.env_id,
                    h.autoreset ? " (autoreset)" : ""));
    encode_welcome(group_->welcome(server_.opt.max_frame_bytes), out_);
    reply(false);
  }

  void env_error(const char* op, const char* what) {
    out_.clear();
    encode_error(ErrorFrame{ErrorCode::EnvError, str(op, ": ", what)}, out_);
    server_.errors.fetch_add(1);
    reply(false);
  }

  // Sends an Error frame, then ends the session.
  void fatal(ErrorCode code, const std::string& message) {
    server_.log(str("client ", peer_, ": ", error_code_name(code), ": ", message));
    out_.clear();
    encode_error(ErrorFrame{code, message}, out_);
    server_.errors.fetch_add(1);
    reply(true);
  }

  void reply(bool close_after) {
    set_deadline(Phase::Writing, server_.opt.write_timeout_ms);
    size_t sent = 0;
    if (!close_after) {
      // A reply usually fits the socket buffer: send it now and go straight on to the next read.
      // Through async_write its completion would be posted, which costs the event loop one
      // more epoll_wait per frame (6 system calls per single-env step instead of 5).
      error_code ec;
      sent = socket_.write_some(asio::buffer(out_), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        sent = 0;
      } else if (ec) {
        return close(str("write failed (", ec.message(), ")"));
      } else if (sent == out_.size()) {
        // Frames the client sent ahead are handled from the event loop, not by recursion.
        if (in_.unread_size() == 0) return read_frame();
        return asio::post(socket_.get_executor(), [self = shared_from_this()] {
          if (!self->closed_) self->read_frame();
        });
      }
    }
    asio::async_write(socket_, asio::buffer(out_) + sent,
                      [self = shared_from_this(), close_after](const error_code& ec, size_t) {
                        if (self->closed_) return;
                        if (ec) return self->close(str("write failed (", ec.message(), ")"));
                        if (close_after) return self->close("after an error");
                        self->read_frame();
                      });
  }

  Server::Impl& server_;
  tcp::socket socket_;
  std::string peer_;
  internal::ReceiveBuffer in_{kReadBufferBytes};
  size_t need_ = 0;  // bytes of the frame being read, once its length is known
  std::vector<uint8_t> out_;
  Frame frame_;
  std::unique_ptr<internal::EnvGroup> group_;
  Phase phase_ = Phase::Idle;
  int64_t deadline_ = 0;            // ms on the steady clock; 0: none
  int64_t handshake_deadline_ = 0;  // the Hello must have arrived by then; 0: no limit
  bool closed_ = false;
};

}  // namespace

void Server::Impl::log(const std::string& line) {
  if (!opt.log) return;
  flush_log(now_ms());
  if (log_lines < kLogLinesPerSecond) {
    ++log_lines;
    opt.log(line);
  } else {
    ++log_left_out;
  }
}

// Starts a new second of logging once the current one is over (or at once when `force`), saying
// how many lines it left out.
void Server::Impl::flush_log(int64_t now, bool force) {
  if (now - log_window_ms < 1000 && !force) return;
  if (log_left_out > 0 && opt.log) {
    opt.log(str(log_left_out, " more log lines in ", now - log_window_ms, " ms left out (at most ",
                kLogLinesPerSecond, " a second)"));
  }
  log_window_ms = now;
  log_lines = log_left_out = 0;
}

void Server::Impl::accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      return accept_failed(ec);
    }
    accept_pause_ms = 0;
    accepted.fetch_add(1);
    error_code peer_ec;
    const tcp::endpoint ep = socket.remote_endpoint(peer_ec);
    const std::string peer = peer_ec ? std::string("?") : endpoint_text(ep);
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    auto session = std::make_shared<Session>(*this, std::move(socket), peer);
    active.fetch_add(1);
    sessions.insert(session);
    if (static_cast<int64_t>(sessions.size()) > opt.max_clients) {
      refused.fetch_add(1);
      session->send_now(ErrorCode::ServerFull,
                        str("remote server: ", opt.max_clients,
                            " clients already connected (--max-clients); try again later"));
      session->close("refused: server full");
    } else {
      session->start();
    }
    accept();
  });
}

// A failed accept (out of file descriptors: EMFILE, ENFILE; out of memory) leaves the connection
// queued, so an immediate retry fails again at once: a busy loop. Pause instead, doubling the
// pause up to kAcceptPauseMaxMs, or until a session closes and frees a descriptor.
void Server::Impl::accept_failed(const error_code& ec) {
  accept_failures.fetch_add(1);
  accept_pause_ms = std::clamp<int64_t>(2 * accept_pause_ms, kAcceptPauseMinMs, kAcceptPauseMaxMs);
  log(str("accept failed: ", ec.message(), "; next try in ", accept_pause_ms,
          " ms or when a client leaves"));
  accept_paused = true;
  accept_pause.expires_after(std::chrono::milliseconds(accept_pause_ms));
  accept_pause.async_wait([this](const error_code&) {  // expired, or cancelled by slot_freed()
    accept_paused = false;
    if (acceptor.is_open()) accept();
  });
}

void Server::Impl::slot_freed() {
  if (accept_paused) accept_pause.cancel();
}

void Server::Impl::sweep() {
  sweeper.expires_after(std::chrono::milliseconds(sweep_ms));
  sweeper.async_wait([this](const error_code& ec) {
    if (ec) return;
    const int64_t now = now_ms();
    const std::vector<std::shared_ptr<Session>> all(sessions.begin(), sessions.end());
    for (const auto& s : all) s->check_deadline(now);
    flush_log(now);
    sweep();
  });
}

void Server::Impl::close_all(const char* reason) {
  error_code ignored;
  acceptor.close(ignored);
  sweeper.cancel();
  accept_pause.cancel();
  const std::vector<std::shared_ptr<Session>> all(sessions.begin(), sessions.end());
  for (const auto& s : all) s->close(reason);
  flush_log(now_ms(), true);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  ServerOptions& o = impl_->opt;
  if (o.n_envs == 0 || o.n_envs > o.max_envs_per_client) {
    throw Error(str("serve: n_envs must be in [1, max_envs_per_client = ", o.max_envs_per_client,
                    "], got ", o.n_envs));
  }
  if (o.max_clients < 1) throw Error(str("serve: max_clients must be >= 1, got ", o.max_clients));
  if (o.max_frame_bytes < 64) {
    throw Error(str("serve: max_frame_bytes must be >= 64, got ", o.max_frame_bytes));
  }
  for (int64_t t :
       {o.handshake_timeout_ms, o.frame_timeout_ms, o.idle_timeout_ms, o.write_timeout_ms}) {
    if (t < 0) throw Error(str("serve: timeouts must be >= 0 ms (0: none), got ", t));
  }
  make(o.env_id, o.env_kwargs);  // an unknown id or bad kwargs fail here, not per client
  error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) {
    throw Error(str("serve: '", o.host, "' is not an IP address (use 127.0.0.1, ::1 or 0.0.0.0)"));
  }
  const tcp::endpoint ep(address, o.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Error(str("serve: cannot listen on ", endpoint_text(ep), ": ", ec.message()));
  impl_->port = impl_->acceptor.local_endpoint().port();
  int64_t shortest = 1000;
  for (int64_t t :
       {o.handshake_timeout_ms, o.frame_timeout_ms, o.idle_timeout_ms, o.write_timeout_ms}) {
    if (t > 0) shortest = std::min(shortest, t);
  }
  impl_->sweep_ms = std::clamp<int64_t>(shortest / 4, 5, 250);
  impl_->accept();
  impl_->sweep();
}

Server::~Server() {
  stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::address() const {
  return impl_->opt.host.find(':') != std::string::npos ? str("[", impl_->opt.host, "]:", port())
                                                        : str(impl_->opt.host, ":", port());
}

const ServerOptions& Server::options() const { return impl_->opt; }

void Server::run() { impl_->io.run(); }

void Server::start() {
  if (impl_->thread.joinable()) throw Error("serve: start() called twice");
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void Server::stop() {
  if (impl_->stopped.exchange(true)) {
    if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
      impl_->thread.join();
    }
    return;
  }
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->close_all("server stopping");
    impl->io.stop();
  });
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
    impl_->thread.join();
  }
}

ServerStats Server::stats() const {
  return ServerStats{impl_->accepted.load(), impl_->refused.load(), impl_->active.load(),
                     impl_->errors.load(),   impl_->steps.load(),   impl_->accept_failures.load()};
}

}  // namespace rein::envs::remote
